import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request } from 'express';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';

/** A refused request's completion line names its error_code (set by the problem middleware). */
function withErrorCode(res: ServerResponse, line: object): object {
  const errorCode = (res as unknown as { locals?: { errorCode?: string } }).locals?.errorCode;
  return errorCode ? { ...line, error_code: errorCode } : line;
}

/**
 * One structured line per request, built by allow-list: method, path (no query string: it
 * could carry a token), status, duration, request id, client IP. Headers, cookies and bodies
 * are never serialised.
 */
export function requestLogging(logger: Logger) {
  return pinoHttp({
    logger,
    wrapSerializers: false,
    quietReqLogger: true,
    genReqId: (req) => (req as unknown as Request).context?.requestId ?? 'unknown',
    customAttributeKeys: { reqId: 'request_id', responseTime: 'duration_ms' },
    serializers: {
      req: (req: IncomingMessage & Partial<Request>) => ({
        method: req.method,
        path: (req.originalUrl ?? req.url ?? '').split('?')[0]?.slice(0, 300),
        ip: req.context?.ip,
      }),
      res: (res: ServerResponse) => ({ status: res.statusCode }),
      err: (err: Error & { code?: unknown }) => ({ name: err.name, code: err.code }),
    },
    customLogLevel: (_req, res, error) => {
      if (error || res.statusCode >= 500) return 'error';
      if (res.statusCode >= 400) return 'warn';
      return 'info';
    },
    // The refusal's error_code joins the completion line itself: pino-http's customProps would
    // make one more child logger per request (measured by npm run bench) to carry it.
    customSuccessObject: (_req, res, line: object) => withErrorCode(res, line),
    customErrorObject: (_req, res, _error, line: object) => withErrorCode(res, line),
    customSuccessMessage: () => 'request completed',
    customErrorMessage: () => 'request failed',
    autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' },
  });
}
