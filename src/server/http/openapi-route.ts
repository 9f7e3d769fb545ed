import type { Router } from 'express';
import { z } from 'zod';
import { buildOpenApiDocument } from './openapi';
import type { RouteRegistry } from './route';

/** GET /api/openapi.json: built on first request, from every route registered by then. */
export function mountOpenApiRoute(router: Router, registry: RouteRegistry, version: string): void {
  let document: Record<string, unknown> | undefined;
  router.get('/api/openapi.json', (_req, res) => {
    document ??= buildOpenApiDocument(registry, version);
    res.json(document);
  });
  registry.add({
    method: 'get',
    path: '/api/openapi.json',
    tag: 'system',
    summary: 'This OpenAPI 3.1 document',
    access: 'public',
    responses: { 200: { description: 'OpenAPI document', schema: z.object({ openapi: z.literal('3.1.0') }).loose() } },
  });
}
