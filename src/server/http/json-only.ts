import type { RequestHandler } from 'express';
import { AppError } from '../core/app-error';

/**
 * State-changing API calls take JSON only. A form post or text/plain body is what a
 * cross-site form would send, so it is refused rather than silently ignored.
 */
export function requireJsonBody(): RequestHandler {
  return (req, _res, next) => {
    const hasBody = Number(req.get('content-length') ?? 0) > 0 || req.get('transfer-encoding') !== undefined;
    if (!hasBody) return next();
    if (req.is('application/json') || req.is('application/*+json')) return next();
    return next(new AppError('UNSUPPORTED_MEDIA_TYPE'));
  };
}
