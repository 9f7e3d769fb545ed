import { errorCatalog } from '../core/error-codes';
import { SESSION_COOKIE_DEV } from './session-cookie';

/**
 * The parts of the OpenAPI document every operation shares: the Problem schema, the headers
 * and the answers any request can get before a route sees it (Node's HTTP parser, the JSON-only
 * rule). Kept apart from openapi.ts so the per-route builder stays readable.
 */

export const problemRef = { $ref: '#/components/schemas/Problem' };

export const requestIdHeader = { $ref: '#/components/headers/X-Request-Id' };

export const problemExample = {
  type: 'urn:proofgate:problem:invalid-credentials',
  title: errorCatalog.INVALID_CREDENTIALS.title,
  status: 401,
  instance: '/api/auth/login',
  error_code: 'INVALID_CREDENTIALS',
  request_id: '6f1c2a9e-3b7d-4c55-9a0e-2d8f1b7c4e11',
};

const problemSchema = {
  type: 'object',
  description: 'RFC 9457 problem details with a stable error_code; routes may add extension members.',
  required: ['type', 'title', 'status', 'instance', 'error_code', 'request_id'],
  properties: {
    type: { type: 'string', description: 'urn:proofgate:problem:<error-code>' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: {
      type: 'string',
      description:
        'The request path; for a request the HTTP parser refused before its path could be read, urn:uuid:<request_id>.',
    },
    error_code: { type: 'string', enum: Object.keys(errorCatalog) },
    request_id: { type: 'string', description: 'Same as the X-Request-Id header' },
    retry_after: { type: 'integer', minimum: 1, description: 'Seconds; on throttled (429) and some 503 answers, with a Retry-After header' },
    trace_id: { type: 'string' },
    attempts_remaining: {
      type: 'integer',
      minimum: 0,
      description:
        'On a refused second-factor code (INVALID_CODE, CODE_ALREADY_USED, BACKUP_CODE_REPLACED): wrong codes left before the account locks or, at login, the sign-in attempt ends',
    },
    locked_for_seconds: {
      type: 'integer',
      minimum: 1,
      description: 'On the refused code that used the last try: two-factor is now locked for this many seconds (TWO_FACTOR_LOCKED until then)',
    },
  },
};

export const sharedComponents = {
  securitySchemes: {
    sessionCookie: {
      type: 'apiKey',
      in: 'cookie',
      name: SESSION_COOKIE_DEV,
      description: 'Session cookie; named __Host-proofgate_session when NODE_ENV=production.',
    },
  },
  schemas: { Problem: problemSchema },
  headers: {
    'X-Request-Id': {
      description: 'Identifies this request in the server log and in a problem answer (request_id). A plain caller-supplied value of 8-64 characters is echoed.',
      required: true,
      schema: { type: 'string' },
    },
    'Retry-After': {
      description: 'Seconds to wait before trying again.',
      required: true,
      schema: { type: 'integer', minimum: 1 },
    },
    'Retry-After-Optional': {
      description: 'Seconds to wait before trying again; sent when the server knows (a full password-hashing queue answers 1).',
      required: false,
      schema: { type: 'integer', minimum: 1 },
    },
  },
  responses: {
    HeadersTooLarge: {
      description: 'Problem: HEADERS_TOO_LARGE (any request whose headers exceed the server limit; answered by the HTTP parser before routing)',
      headers: { 'X-Request-Id': requestIdHeader },
      content: { 'application/problem+json': { schema: problemRef } },
    },
    RequestTimeout: {
      description: 'Problem: REQUEST_TIMEOUT (the request did not arrive in time; answered by the HTTP parser)',
      headers: { 'X-Request-Id': requestIdHeader },
      content: { 'application/problem+json': { schema: problemRef } },
    },
  },
};

/** Statuses Node's HTTP parser can answer for any path (server-guards.ts), documented on every operation. */
export const parserResponses: Record<string, unknown> = {
  '408': { $ref: '#/components/responses/RequestTimeout' },
  '431': { $ref: '#/components/responses/HeadersTooLarge' },
};

export const documentTags = [
  { name: 'auth', description: 'Accounts, password sign-in, sessions and the security activity of the signed-in user.' },
  { name: '2fa', description: 'TOTP two-factor authentication and backup codes.' },
  { name: 'alerts', description: 'SMS operations alerts through Twilio (admin).' },
  { name: 'integrations', description: 'What is configured, connected and used, and provider callbacks.' },
  { name: 'system', description: 'Liveness, readiness, system status, and this document.' },
];
