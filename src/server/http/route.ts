import type { Request, RequestHandler, Response, Router } from 'express';
import { z } from 'zod';
import { AppError } from '../core/app-error';
import type { ErrorCode } from '../core/error-codes';
import type { RequestOrigin } from '../core/request-origin';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** Who may call a route; documented in OpenAPI and enforced by the middleware the route mounts. */
export type RouteAccess = 'public' | 'session' | 'admin' | 'signed-callback';

export interface RouteResponseSpec {
  description: string;
  schema?: z.ZodType;
  /** Defaults to application/json. */
  mediaType?: 'application/json' | 'text/html' | 'text/javascript';
  /** Documented in OpenAPI and checked against `schema` by the linter and the test client. */
  example?: unknown;
  /** The answer sets a cookie: `required` when it always does. */
  setCookie?: { required: boolean; description: string };
}

export interface RouteSpec<Body extends z.ZodType = z.ZodType, Query extends z.ZodType = z.ZodType> {
  method: HttpMethod;
  /** Express path syntax (`/api/things/:id`); OpenAPI gets `{id}`. */
  path: string;
  summary: string;
  description?: string;
  tag: string;
  access: RouteAccess;
  body?: Body;
  bodyContentType?: 'application/json' | 'application/x-www-form-urlencoded';
  query?: Query;
  /** A request body example for the OpenAPI document. */
  requestExample?: unknown;
  responses: Record<number, RouteResponseSpec>;
  /** The error codes this route can answer with (besides the generic ones every route has). */
  errorCodes?: ErrorCode[];
}

export interface RouteInput<Body, Query> {
  req: Request;
  res: Response;
  body: Body;
  query: Query;
}

type Infer<T> = T extends z.ZodType ? z.infer<T> : undefined;

/**
 * Counts the state-changing requests of one session (SESSION_WRITES_MAX_PER_HOUR) and refuses
 * past its budget: without it a signed-in client could write audit rows and challenges as fast
 * as it can send (a rename, a setup, a sign-out-everywhere).
 */
export interface SessionWriteBudget {
  beforeWrite(session: { sessionId: string; userId: string }, origin: RequestOrigin): Promise<void>;
}

/**
 * Which routes spend the session write budget: every one that needs a session (or an admin's)
 * and is not a read. Public routes have throttles of their own; a signed callback has no session.
 */
export function spendsSessionWrites(spec: Pick<RouteSpec, 'access' | 'method'>): boolean {
  return (spec.access === 'session' || spec.access === 'admin') && spec.method !== 'get';
}

/**
 * Collects every mounted route so the OpenAPI document describes exactly what is served, and
 * holds what every mounted route shares: the session write budget, applied by mountRoute so
 * that a route added later is counted without anyone remembering to.
 */
export class RouteRegistry {
  readonly specs: RouteSpec[] = [];

  constructor(readonly sessionWrites?: SessionWriteBudget) {}

  add(spec: RouteSpec): void {
    const counted = this.sessionWrites && spendsSessionWrites(spec);
    this.specs.push(counted ? { ...spec, errorCodes: [...new Set([...(spec.errorCodes ?? []), 'RATE_LIMITED' as const])] } : spec);
  }
}

export function validationError(error: z.ZodError, where: 'body' | 'query'): AppError {
  // Messages come from the schema, never echo the submitted value (it may be a password).
  const errors = error.issues.slice(0, 20).map((issue) => ({
    in: where,
    path: issue.path.map(String).join('.') || '(root)',
    message: issue.message,
    code: issue.code,
  }));
  return new AppError('VALIDATION_FAILED', { extensions: { errors } });
}

/**
 * Mounts one route as a readable chain: `middlewares` (limiter → auth), then the session write
 * budget for a state-changing signed-in route, then validation of body and query against the
 * spec's zod schemas, then the handler, which makes one service call.
 */
export function mountRoute<Body extends z.ZodType | undefined = undefined, Query extends z.ZodType | undefined = undefined>(
  router: Router,
  registry: RouteRegistry,
  spec: RouteSpec & { body?: Body; query?: Query },
  middlewares: RequestHandler[],
  handler: (input: RouteInput<Infer<Body>, Infer<Query>>) => Promise<void> | void,
): void {
  registry.add(spec);
  const writeBudget = spendsSessionWrites(spec) ? registry.sessionWrites : undefined;
  const run: RequestHandler = async (req, res) => {
    // Every attempt counts, a refused or invalid one too: the budget bounds what a session sends.
    if (writeBudget && req.auth) await writeBudget.beforeWrite({ sessionId: req.auth.session.id, userId: req.auth.user.id }, req.context);
    let body: unknown = undefined;
    let query: unknown = undefined;
    if (spec.body) {
      const parsed = spec.body.safeParse(req.body ?? undefined);
      if (!parsed.success) throw validationError(parsed.error, 'body');
      body = parsed.data;
    }
    if (spec.query) {
      const parsed = spec.query.safeParse(req.query);
      if (!parsed.success) throw validationError(parsed.error, 'query');
      query = parsed.data;
    }
    await handler({ req, res, body: body as Infer<Body>, query: query as Infer<Query> });
  };
  router[spec.method](spec.path, ...middlewares, run);
}
