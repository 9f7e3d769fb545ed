import { z } from 'zod';
import { errorCatalog, type ErrorCode } from '../core/error-codes';
import type { RouteRegistry, RouteSpec } from './route';
import { SESSION_COOKIE_DEV } from './session-cookie';

const GENERIC_ERROR_CODES: ErrorCode[] = [
  'VALIDATION_FAILED',
  'MALFORMED_JSON',
  'PAYLOAD_TOO_LARGE',
  'ORIGIN_REJECTED',
  'DATABASE_UNAVAILABLE',
  'INTERNAL_ERROR',
];

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): unknown {
  return z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' });
}

function toOpenApiPath(expressPath: string): { path: string; params: string[] } {
  const params: string[] = [];
  const path = expressPath.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, (_m, name: string) => {
    params.push(name);
    return `{${name}}`;
  });
  return { path, params };
}

function queryParameters(spec: RouteSpec): unknown[] {
  if (!spec.query) return [];
  const schema = jsonSchema(spec.query, 'input') as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(schema.properties ?? {}).map(([name, property]) => ({
    name,
    in: 'query',
    required: schema.required?.includes(name) ?? false,
    schema: property,
  }));
}

function operation(spec: RouteSpec): Record<string, unknown> {
  const { params } = toOpenApiPath(spec.path);
  const errorCodes = [...new Set([...(spec.errorCodes ?? []), ...GENERIC_ERROR_CODES])];
  if (spec.access !== 'public' && spec.access !== 'signed-callback') {
    for (const code of ['UNAUTHENTICATED', 'TWO_FACTOR_REQUIRED'] as const) if (!errorCodes.includes(code)) errorCodes.push(code);
  }
  if (spec.access === 'admin') errorCodes.push('FORBIDDEN');
  const errorStatuses = new Map<number, ErrorCode[]>();
  for (const code of errorCodes) {
    const status = errorCatalog[code].status;
    errorStatuses.set(status, [...(errorStatuses.get(status) ?? []), code]);
  }
  const responses: Record<string, unknown> = {};
  for (const [status, response] of Object.entries(spec.responses)) {
    responses[status] = {
      description: response.description,
      ...(response.schema ? { content: { 'application/json': { schema: jsonSchema(response.schema, 'output') } } } : {}),
    };
  }
  for (const [status, codes] of errorStatuses) {
    responses[String(status)] ??= {
      description: `Problem: ${codes.join(', ')}`,
      content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
    };
  }
  return {
    operationId: `${spec.method}${spec.path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
    summary: spec.summary,
    ...(spec.description ? { description: spec.description } : {}),
    tags: [spec.tag],
    ...(spec.access === 'session' || spec.access === 'admin' ? { security: [{ sessionCookie: [] }] } : { security: [] }),
    'x-access': spec.access,
    'x-error-codes': errorCodes,
    parameters: [
      ...params.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })),
      ...queryParameters(spec),
    ],
    ...(spec.body
      ? {
          requestBody: {
            required: true,
            content: { [spec.bodyContentType ?? 'application/json']: { schema: jsonSchema(spec.body, 'input') } },
          },
        }
      : {}),
    responses,
  };
}

/** OpenAPI 3.1 from the same zod schemas that validate requests, so the two cannot drift. */
export function buildOpenApiDocument(registry: RouteRegistry, version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const spec of registry.specs) {
    const { path } = toOpenApiPath(spec.path);
    paths[path] ??= {};
    paths[path][spec.method] = operation(spec);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Proofgate API',
      version,
      description:
        'Account security you can prove. Errors are application/problem+json (RFC 9457) with a stable error_code; throttled answers add retry_after and a Retry-After header.',
    },
    paths,
    components: {
      securitySchemes: {
        sessionCookie: {
          type: 'apiKey',
          in: 'cookie',
          name: SESSION_COOKIE_DEV,
          description: 'Session cookie; named __Host-proofgate_session when NODE_ENV=production.',
        },
      },
      schemas: {
        Problem: {
          type: 'object',
          required: ['type', 'title', 'status', 'error_code', 'request_id'],
          properties: {
            type: { type: 'string' },
            title: { type: 'string' },
            status: { type: 'integer' },
            detail: { type: 'string' },
            instance: { type: 'string' },
            error_code: { type: 'string', enum: Object.keys(errorCatalog) },
            request_id: { type: 'string' },
            retry_after: { type: 'integer', minimum: 1, description: 'Seconds; only on 429 answers' },
            trace_id: { type: 'string' },
            attempts_remaining: {
              type: 'integer',
              minimum: 0,
              description: 'On a refused second-factor code (INVALID_CODE, CODE_ALREADY_USED, BACKUP_CODE_REPLACED): wrong codes left before the account locks or, at login, the sign-in attempt ends',
            },
            locked_for_seconds: {
              type: 'integer',
              minimum: 1,
              description: 'On the refused code that used the last try: two-factor is now locked for this many seconds (TWO_FACTOR_LOCKED until then)',
            },
          },
        },
      },
    },
    'x-error-catalog': Object.fromEntries(Object.entries(errorCatalog).map(([code, entry]) => [code, entry])),
  };
}
