import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Router, type Response } from 'express';
import { z } from 'zod';
import { AppError } from '../core/app-error';
import { mountRoute, type RouteRegistry } from '../http/route';
import { projectRoot } from '../lib/project-root';

/**
 * GET /api/docs: the OpenAPI document rendered by Redoc, served from the installed package (the
 * same Redocly CLI that lints the document ships Redoc's standalone bundle), never from a CDN.
 * Redoc's usage telemetry is turned off, and connect-src 'self' would refuse it anyway.
 */
const RENDERER_PATH = '/api/docs/redoc.standalone.js';
const INIT_PATH = '/api/docs/init.js';

/**
 * Redoc styles itself with styled-components, which injects <style> elements at run time, so
 * this one HTML page allows inline styles (and its data: fonts). Scripts stay 'self' only, without
 * eval: the page loads two same-origin modules and has no inline script, and it holds no secret
 * (the document is public), so inline CSS here cannot reach anything the app's CSP guards. Redoc's
 * search probes eval to build a worker; refused, it indexes on the page instead.
 */
const DOCS_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Proofgate API reference</title>
<link rel="icon" href="data:,">
</head>
<body>
<noscript>The API reference needs JavaScript. The document itself: <a href="/api/openapi.json">/api/openapi.json</a>.</noscript>
<div id="redoc"></div>
<script type="module" src="${INIT_PATH}"></script>
</body>
</html>
`;

const INIT_SCRIPT = `import { init } from '${RENDERER_PATH}';
init('/api/openapi.json', { disableTelemetry: true }, document.getElementById('redoc'));
`;

/** Where the installed Redoc bundle is; undefined when the package is missing or laid out differently. */
export function findRedocBundle(): string | undefined {
  try {
    const requireFromRoot = createRequire(path.join(projectRoot, 'package.json'));
    const cliRoot = path.dirname(requireFromRoot.resolve('@redocly/cli/package.json'));
    const bundle = path.join(cliRoot, 'lib', 'chunks', 'redoc.standalone.js');
    return fs.existsSync(bundle) ? bundle : undefined;
  } catch {
    return undefined;
  }
}

function sendText(res: Response, type: string, body: string | Buffer, cacheSeconds: number): void {
  if (cacheSeconds > 0) res.setHeader('Cache-Control', `public, max-age=${cacheSeconds}`);
  res.type(type).send(body);
}

export function createDocsRoutes(deps: { registry: RouteRegistry }): Router {
  const router = Router();
  let bundle: Buffer | undefined;
  const text = z.string();
  mountRoute(
    router,
    deps.registry,
    {
      method: 'get',
      path: '/api/docs',
      tag: 'system',
      summary: 'This document, rendered for people (Redoc)',
      access: 'public',
      responses: { 200: { description: 'HTML page', mediaType: 'text/html', schema: text } },
    },
    [],
    ({ res }) => {
      res.setHeader('Content-Security-Policy', DOCS_CSP);
      sendText(res, 'text/html; charset=utf-8', PAGE, 0);
    },
  );
  mountRoute(
    router,
    deps.registry,
    {
      method: 'get',
      path: INIT_PATH,
      tag: 'system',
      summary: 'The API reference page script',
      access: 'public',
      responses: { 200: { description: 'JavaScript module', mediaType: 'text/javascript', schema: text } },
    },
    [],
    ({ res }) => sendText(res, 'text/javascript; charset=utf-8', INIT_SCRIPT, 0),
  );
  mountRoute(
    router,
    deps.registry,
    {
      method: 'get',
      path: RENDERER_PATH,
      tag: 'system',
      summary: "Redoc's standalone bundle, from the installed package",
      access: 'public',
      responses: { 200: { description: 'JavaScript module', mediaType: 'text/javascript', schema: text } },
      errorCodes: ['NOT_FOUND'],
    },
    [],
    ({ res }) => {
      if (!bundle) {
        const file = findRedocBundle();
        if (!file) throw new AppError('NOT_FOUND', { detail: 'The API reference renderer is not installed; run npm install' });
        bundle = fs.readFileSync(file);
      }
      sendText(res, 'text/javascript; charset=utf-8', bundle, 86_400);
    },
  );
  return router;
}
