import type { RequestHandler } from 'express';
import { AppError } from '../http/app-error';
import type { SessionCookie } from '../http/session-cookie';
import type { SessionService } from './session-service';

/** Resolves the session cookie (and only the cookie: no route trusts a userId from the body). */
export function loadSession(sessions: SessionService, cookie: SessionCookie): RequestHandler {
  return async (req, res, next) => {
    const token = cookie.read(req);
    if (!token) return next();
    const auth = await sessions.resolve(token);
    if (auth) req.auth = auth;
    else cookie.clear(res);
    next();
  };
}

export const requireSession: RequestHandler = (req, _res, next) => {
  if (!req.auth) return next(new AppError('UNAUTHENTICATED'));
  next();
};

/** Admin-only routes: 401 without a session, 403 FORBIDDEN for everyone else. */
export const requireAdmin: RequestHandler = (req, _res, next) => {
  if (!req.auth) return next(new AppError('UNAUTHENTICATED'));
  if (!req.auth.user.isAdmin) return next(new AppError('FORBIDDEN'));
  next();
};

/**
 * Sensitive changes need a recent proof of the password (ASVS 4.0.3 V3.7.1). The answer
 * names the way back: POST /api/auth/reauthenticate with the password.
 */
export function requireFreshSession(sessions: SessionService, freshSeconds: number): RequestHandler {
  return (req, _res, next) => {
    if (!req.auth) return next(new AppError('UNAUTHENTICATED'));
    if (!sessions.isFresh(req.auth.session, freshSeconds)) {
      return next(
        new AppError('SESSION_NOT_FRESH', {
          detail: `Confirm your password: POST /api/auth/reauthenticate, then retry within ${freshSeconds} seconds`,
          extensions: { reauthenticate: { method: 'POST', href: '/api/auth/reauthenticate' }, fresh_seconds: freshSeconds },
        }),
      );
    }
    next();
  };
}
