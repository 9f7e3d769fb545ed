import type { RequestHandler, Request, Response } from 'express';
import type { Logger } from 'pino';

/** Probes that run every few seconds would bury the log; their answers are visible in /readyz itself. */
const UNLOGGED_PATHS = new Set(['/healthz', '/readyz']);

type Outcome = 'completed' | 'failed' | 'aborted';

/** A refused request's completion line names its error_code (set by the problem middleware). */
function errorCodeOf(res: Response): string | undefined {
  return (res.locals as { errorCode?: string } | undefined)?.errorCode;
}

function levelOf(outcome: Outcome, status: number): 'error' | 'warn' | 'info' {
  if (outcome === 'failed' || status >= 500) return 'error';
  if (outcome === 'aborted' || status >= 400) return 'warn';
  return 'info';
}

/**
 * The request's completion line, built by allow-list: method, path (no query string: it could
 * carry a token), status, duration, request id, client IP, and a refusal's error_code.
 * Headers, cookies and bodies are never serialised.
 */
function logCompletion(logger: Logger, req: Request, res: Response, startedMs: number, outcome: Outcome) {
  const status = res.statusCode;
  const errorCode = errorCodeOf(res);
  const line = {
    request_id: req.context?.requestId ?? 'unknown',
    req: { method: req.method, path: (req.originalUrl ?? req.url ?? '').split('?')[0]?.slice(0, 300), ip: req.context?.ip },
    res: { status },
    duration_ms: Math.round(performance.now() - startedMs),
    ...(errorCode ? { error_code: errorCode } : {}),
  };
  const message = outcome === 'completed' ? 'request completed' : outcome === 'failed' ? 'request failed' : 'request aborted';
  logger[levelOf(outcome, status)](line, message);
}

/** Where `req.log`'s getter finds the server's logger and, once made, the request's child. */
const LOG_SLOT = Symbol('proofgate.requestLog');
type WithLogSlot = Request & { [LOG_SLOT]: { logger: Logger; child?: Logger } };

/**
 * `req.log`'s getter: one function shared by every request. A fresh closure per request would be
 * a different accessor each time, and V8 then keeps each request object as a slow
 * dictionary-mode object (every property read a hash lookup) instead of sharing one hidden class.
 */
function requestLog(this: WithLogSlot): Logger {
  const slot = this[LOG_SLOT];
  return (slot.child ??= slot.logger.child({ request_id: this.context?.requestId ?? 'unknown' }));
}

/**
 * One structured line per request, written when the answer is sent (or the client went away).
 * Hand-made rather than pino-http: pino-http makes a child logger for every request, which cost
 * about half the CPU of a cached session check (npm run bench, docs/performance.md). Here
 * `req.log` — a child bound to the request id, for the rare line a handler writes itself — is
 * made only when something reads it.
 */
export function requestLogging(logger: Logger): RequestHandler {
  return (req, res, next) => {
    if (UNLOGGED_PATHS.has(req.url)) return next();
    const startedMs = performance.now();
    (req as WithLogSlot)[LOG_SLOT] = { logger };
    Object.defineProperty(req, 'log', { configurable: true, enumerable: false, get: requestLog });
    const onFinish = () => {
      res.removeListener('close', onClose);
      logCompletion(logger, req, res, startedMs, res.statusCode >= 500 ? 'failed' : 'completed');
    };
    const onClose = () => {
      res.removeListener('finish', onFinish);
      if (!res.writableFinished) logCompletion(logger, req, res, startedMs, 'aborted');
    };
    res.once('finish', onFinish);
    res.once('close', onClose);
    next();
  };
}
