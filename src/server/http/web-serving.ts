import fs from 'node:fs';
import path from 'node:path';
import express, { type Express } from 'express';
import { projectRoot } from '../lib/project-root';

const webDistDir = path.join(projectRoot, 'dist', 'web');

/**
 * The built single-page UI (dist/web), when it exists. Returns whether it is served, so the
 * standalone server can say so. Client-side routes (/settings, /ops/alerts, ...) all load the page.
 */
export function serveWebUi(app: Express): boolean {
  if (!fs.existsSync(path.join(webDistDir, 'index.html'))) return false;
  app.use(express.static(webDistDir, { index: false, maxAge: '1h' }));
  app.get(/^\/(?!api\/|healthz$|readyz$).*/, (_req, res) => {
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(path.join(webDistDir, 'index.html'));
  });
  return true;
}
