import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { AppError, isAppError } from '../core/app-error';
import { errorCatalog, type ErrorCode } from '../core/error-codes';
import type { RefusalHold } from '../lib/refusal-hold';
import { isDatabaseUnavailable } from './dependency-errors';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance: string;
  error_code: ErrorCode;
  request_id: string;
  retry_after?: number;
  [extension: string]: unknown;
}

export function problemTypeFor(code: ErrorCode): string {
  return `urn:proofgate:problem:${code.toLowerCase().replace(/_/g, '-')}`;
}

export function sendProblem(req: Request, res: Response, error: AppError): void {
  const body: ProblemDocument = {
    type: problemTypeFor(error.code),
    title: errorCatalog[error.code].title,
    status: error.status,
    ...(error.detail ? { detail: error.detail } : {}),
    ...error.extensions,
    instance: req.originalUrl.split('?')[0] ?? '/',
    error_code: error.code,
    request_id: req.context?.requestId ?? String(res.getHeader('X-Request-Id') ?? ''),
  };
  // The request log line names the code, so an operator can find why a request failed.
  res.locals.errorCode = error.code;
  if (error.retryAfterSeconds !== undefined) {
    body.retry_after = error.retryAfterSeconds;
    res.setHeader('Retry-After', String(error.retryAfterSeconds));
  }
  res.status(error.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(body));
}

/** body-parser's own error types, mapped to stable codes instead of its HTML/stack answers. */
function fromBodyParser(error: { type?: string; status?: number }): AppError | undefined {
  switch (error.type) {
    case 'entity.parse.failed':
      return new AppError('MALFORMED_JSON');
    case 'entity.too.large':
      return new AppError('PAYLOAD_TOO_LARGE');
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return new AppError('UNSUPPORTED_MEDIA_TYPE', { detail: 'Use UTF-8 encoded JSON' });
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
    case 'stream.not.readable':
      return new AppError('VALIDATION_FAILED', { detail: 'The request body could not be read' });
    default:
      if (typeof error.status === 'number' && error.status >= 400 && error.status < 500 && error.type) {
        return new AppError('VALIDATION_FAILED', { detail: 'The request body could not be read' });
      }
      return undefined;
  }
}

function fromClientStatus(status: number): AppError {
  switch (status) {
    case 404:
      return new AppError('NOT_FOUND');
    case 405:
      return new AppError('METHOD_NOT_ALLOWED');
    case 413:
      return new AppError('PAYLOAD_TOO_LARGE');
    case 415:
      return new AppError('UNSUPPORTED_MEDIA_TYPE');
    default:
      return new AppError('MALFORMED_REQUEST');
  }
}

export function toAppError(error: unknown): AppError {
  if (isAppError(error)) return error;
  if (error && typeof error === 'object') {
    const parsed = fromBodyParser(error as { type?: string; status?: number });
    if (parsed) return parsed;
    // URIError from a malformed percent-encoded path, thrown by Express's router.
    if (error instanceof URIError) return new AppError('MALFORMED_REQUEST');
    // Other client errors raised by Express or its parsers carry an HTTP status of their own.
    const status = (error as { status?: unknown; statusCode?: unknown }).status ?? (error as { statusCode?: unknown }).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) return fromClientStatus(status);
  }
  if (isDatabaseUnavailable(error)) return new AppError('DATABASE_UNAVAILABLE');
  return new AppError('INTERNAL_ERROR');
}

/**
 * Log line for an unexpected error. Deliberately not `err.message`: a driver error message
 * can quote the SQL parameters (token hashes, password hashes), which must never reach a log.
 */
export function describeErrorForLog(error: unknown): Record<string, unknown> {
  const chain: Array<Record<string, unknown>> = [];
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth += 1) {
    const e = current as { name?: unknown; code?: unknown; constructor?: { name?: string }; cause?: unknown; stack?: unknown };
    const stackTop =
      typeof e.stack === 'string'
        ? e.stack
            .split('\n')
            .slice(1, 4)
            .map((l) => l.trim())
        : undefined;
    chain.push({ name: typeof e.name === 'string' ? e.name : e.constructor?.name, cause_code: e.code, at: stackTop });
    current = e.cause;
  }
  return { error_chain: chain };
}

/** A held refusal is answered only if its client is still there to read it. */
function sendHeldProblem(req: Request, res: Response, error: AppError): void {
  if (res.headersSent || res.destroyed) return;
  sendProblem(req, res, error);
}

/**
 * `throttleRefusals`: where a throttle's refusal (429: a rate limit or a 2FA lock) waits before
 * it is answered, so a client that re-sends on every refusal is slowed to one request per
 * connection per delay (lib/refusal-hold.ts). The Retry-After it carries was read when the
 * request was refused, so a held one errs on the late side.
 */
export function problemMiddleware(logger: Logger, throttleRefusals?: RefusalHold): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const appError = toAppError(error);
    if (appError.status >= 500) {
      const log = req.log ?? logger;
      log.error({ error_code: appError.code, ...describeErrorForLog(error) }, 'request failed');
    }
    if (res.headersSent) {
      res.end();
      return;
    }
    if (appError.status === 429 && throttleRefusals) {
      // Named now: a client that leaves while its refusal is held is logged as the 429 it was.
      res.statusCode = appError.status;
      res.locals.errorCode = appError.code;
      if (throttleRefusals.tryHold(() => sendHeldProblem(req, res, appError))) return;
    }
    sendProblem(req, res, appError);
  };
}

export const notFoundHandler: RequestHandler = (req, res) => {
  sendProblem(req, res, new AppError('NOT_FOUND'));
};
