import type { Request, RequestHandler, Router } from 'express';
import type { z } from 'zod';
import { mountRoute, type RouteRegistry, type RouteSpec } from './route';

/**
 * A GET whose answer is one JSON document read for the caller: the guards run, the query is
 * validated, and whatever `read` returns is sent with 200. Status pages and overviews share
 * this shape, so it is written once.
 */
export function mountJsonGet<Query extends z.ZodType | undefined = undefined>(
  router: Router,
  registry: RouteRegistry,
  spec: Omit<RouteSpec, 'method' | 'body' | 'bodyContentType' | 'requestExample'> & { query?: Query },
  guards: RequestHandler[],
  read: (input: { req: Request; query: Query extends z.ZodType ? z.infer<Query> : undefined }) => Promise<unknown>,
): void {
  mountRoute<undefined, Query>(router, registry, { method: 'get', ...spec }, guards, async ({ req, res, query }) => {
    res.json(await read({ req, query }));
  });
}
