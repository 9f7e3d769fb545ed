import { z } from 'zod';
import { errorCatalog, type ErrorCode } from '../core/error-codes';
import { documentTags, parserResponses, problemExample, problemRef, requestIdHeader, sharedComponents } from './openapi-components';
import type { RouteRegistry, RouteResponseSpec, RouteSpec } from './route';

/** Codes any operation can answer with, whatever the route: body parsing, origin check, database, parser. */
const GENERIC_ERROR_CODES: ErrorCode[] = [
  'VALIDATION_FAILED',
  'MALFORMED_JSON',
  'MALFORMED_REQUEST',
  'PAYLOAD_TOO_LARGE',
  'ORIGIN_REJECTED',
  'DATABASE_UNAVAILABLE',
  'INTERNAL_ERROR',
];

/** Answered for every path by the HTTP parser; documented once, as shared responses. */
const PARSER_ERROR_CODES: ErrorCode[] = ['HEADERS_TOO_LARGE', 'REQUEST_TIMEOUT'];

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Record<string, unknown>;
  // The document's dialect is 2020-12 already; a nested $schema is only noise to validators.
  return rest;
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

/**
 * The JSON-only rule (json-only.ts) covers every /api route past the Twilio callback, which
 * parses its own form body; so any of them can answer 415, whether it takes a body or not.
 */
function coveredByJsonOnlyRule(spec: RouteSpec): boolean {
  return spec.path.startsWith('/api/') && spec.bodyContentType !== 'application/x-www-form-urlencoded';
}

/** Cookie-parsing /api routes clear a session cookie that names no live session, on any answer. */
function mayClearSessionCookie(spec: RouteSpec): boolean {
  return coveredByJsonOnlyRule(spec);
}

function errorCodesOf(spec: RouteSpec): ErrorCode[] {
  const codes = [...new Set([...(spec.errorCodes ?? []), ...GENERIC_ERROR_CODES])];
  if (coveredByJsonOnlyRule(spec) && !codes.includes('UNSUPPORTED_MEDIA_TYPE')) codes.push('UNSUPPORTED_MEDIA_TYPE');
  if (spec.access !== 'public' && spec.access !== 'signed-callback') {
    for (const code of ['UNAUTHENTICATED', 'TWO_FACTOR_REQUIRED'] as const) if (!codes.includes(code)) codes.push(code);
  }
  if (spec.access === 'admin' && !codes.includes('FORBIDDEN')) codes.push('FORBIDDEN');
  return codes;
}

function setCookieHeader(required: boolean, description: string) {
  return { description, required, schema: { type: 'string' } };
}

function responseHeaders(spec: RouteSpec, status: number, response?: RouteResponseSpec): Record<string, unknown> {
  const headers: Record<string, unknown> = { 'X-Request-Id': requestIdHeader };
  if (status === 429) headers['Retry-After'] = { $ref: '#/components/headers/Retry-After' };
  if (status === 503) headers['Retry-After'] = { $ref: '#/components/headers/Retry-After-Optional' };
  if (response?.setCookie) {
    headers['Set-Cookie'] = setCookieHeader(response.setCookie.required, response.setCookie.description);
  } else if (mayClearSessionCookie(spec)) {
    headers['Set-Cookie'] = setCookieHeader(false, 'Clears a session cookie that no longer names a live session.');
  }
  return headers;
}

function successResponse(spec: RouteSpec, status: number, response: RouteResponseSpec): Record<string, unknown> {
  const mediaType = response.mediaType ?? 'application/json';
  const content = response.schema
    ? {
        content: {
          [mediaType]: {
            schema: jsonSchema(response.schema, 'output'),
            ...(response.example !== undefined ? { example: response.example } : {}),
          },
        },
      }
    : {};
  return { description: response.description, headers: responseHeaders(spec, status, response), ...content };
}

function responsesOf(spec: RouteSpec, errorCodes: ErrorCode[]): Record<string, unknown> {
  const errorStatuses = new Map<number, ErrorCode[]>();
  for (const code of errorCodes) {
    const status = errorCatalog[code].status;
    errorStatuses.set(status, [...(errorStatuses.get(status) ?? []), code]);
  }
  const responses: Record<string, unknown> = {};
  for (const [status, response] of Object.entries(spec.responses)) responses[status] = successResponse(spec, Number(status), response);
  for (const [status, codes] of errorStatuses) {
    responses[String(status)] ??= {
      description: `Problem: ${codes.join(', ')}`,
      headers: responseHeaders(spec, status),
      content: { 'application/problem+json': { schema: problemRef, ...(status === 401 ? { example: problemExample } : {}) } },
    };
  }
  return { ...responses, ...parserResponses };
}

function requestBodyOf(spec: RouteSpec): Record<string, unknown> {
  if (!spec.body) return {};
  const mediaType = spec.bodyContentType ?? 'application/json';
  const charsetRule =
    mediaType === 'application/json'
      ? 'UTF-8 JSON only (application/json, or an application/*+json type): another charset parameter (e.g. application/json; charset=latin1) or another media type is refused with 415 UNSUPPORTED_MEDIA_TYPE.'
      : 'Form-encoded, as Twilio sends it.';
  return {
    requestBody: {
      required: true,
      description: charsetRule,
      content: {
        [mediaType]: {
          schema: jsonSchema(spec.body, 'input'),
          ...(spec.requestExample !== undefined ? { example: spec.requestExample } : {}),
        },
      },
    },
  };
}

function operation(spec: RouteSpec): Record<string, unknown> {
  const { params } = toOpenApiPath(spec.path);
  const errorCodes = errorCodesOf(spec);
  return {
    operationId: `${spec.method}${spec.path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
    summary: spec.summary,
    ...(spec.description ? { description: spec.description } : {}),
    tags: [spec.tag],
    ...(spec.access === 'session' || spec.access === 'admin' ? { security: [{ sessionCookie: [] }] } : { security: [] }),
    'x-access': spec.access,
    'x-error-codes': [...errorCodes, ...PARSER_ERROR_CODES],
    parameters: [
      ...params.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })),
      ...queryParameters(spec),
    ],
    ...requestBodyOf(spec),
    responses: responsesOf(spec, errorCodes),
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
        'Account security you can prove. Errors are application/problem+json (RFC 9457) with a stable error_code; throttled answers add retry_after and a Retry-After header. Every answer carries X-Request-Id. A rendered view of this document: GET /api/docs.',
      // No licence is granted yet: LicenseRef- is SPDX's form for a licence outside its list.
      license: { name: 'Proprietary: no licence is granted', identifier: 'LicenseRef-Proprietary' },
    },
    servers: [{ url: '/', description: 'The Proofgate server that serves this document' }],
    tags: documentTags,
    paths,
    components: sharedComponents,
    'x-error-catalog': Object.fromEntries(Object.entries(errorCatalog).map(([code, entry]) => [code, entry])),
  };
}
