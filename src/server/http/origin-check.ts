import type { RequestHandler } from 'express';
import { AppError } from './app-error';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * CSRF defence in depth beside SameSite=Strict cookies: a state-changing request whose
 * Origin is not this server (or an ALLOWED_ORIGINS entry) is refused. Requests with no
 * Origin at all (curl, servers, Twilio callbacks) carry no ambient browser credentials
 * and pass, unless the browser says the request is cross-site (Sec-Fetch-Site).
 */
export function originCheck(allowedOrigins: readonly string[]): RequestHandler {
  const allowed = new Set(allowedOrigins);
  return (req, _res, next) => {
    if (SAFE_METHODS.has(req.method)) return next();
    const origin = req.get('origin');
    if (origin === undefined) {
      if (req.get('sec-fetch-site') === 'cross-site') return next(new AppError('ORIGIN_REJECTED'));
      return next();
    }
    const ownOrigin = `${req.protocol}://${req.get('host') ?? ''}`;
    if (origin === ownOrigin || allowed.has(origin)) return next();
    return next(new AppError('ORIGIN_REJECTED', { detail: 'This origin may not make state-changing requests' }));
  };
}
