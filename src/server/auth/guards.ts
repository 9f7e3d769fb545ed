import type { RequestHandler } from 'express';
import { AppError } from '../core/app-error';
import type { SessionCookie } from '../http/session-cookie';
import type { AuthContext } from '../core/auth-context';
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

/**
 * Why this request may not use an authenticated route, or undefined when it may. Once an
 * account has a second factor, a password-only (AAL1) session of it reaches no authenticated
 * route at all: not /me, not password change, not admin routes, and not any route added later,
 * since every one of them passes through this check (NIST SP 800-63B §4.2, ASVS 5.0 V6.3).
 */
export function sessionRefusal(auth: AuthContext | undefined): AppError | undefined {
  if (!auth) return new AppError('UNAUTHENTICATED');
  if (auth.user.twoFactorEnabled && auth.session.aal < 2) return new AppError('TWO_FACTOR_REQUIRED');
  return undefined;
}

export const requireSession: RequestHandler = (req, _res, next) => {
  next(sessionRefusal(req.auth));
};

/**
 * Admin-only routes: 401 without a session, 403 FORBIDDEN for everyone who is not an admin,
 * and, with `requireTwoFactor` (ADMIN_REQUIRE_2FA, on in production), 403 TWO_FACTOR_REQUIRED
 * for an admin whose session did not pass a second factor at its own sign-in (a session whose
 * second factor was skipped by a remembered browser included) — an admin account is the one a
 * phished password plus a stolen cookie jar must not be enough for.
 */
export function adminRefusal(auth: AuthContext | undefined, requireTwoFactor: boolean): AppError | undefined {
  const refusal = sessionRefusal(auth);
  if (refusal) return refusal;
  if (!auth!.user.isAdmin) return new AppError('FORBIDDEN');
  // A remembered browser stands in for the code at an ordinary sign-in, never for an admin's.
  if (requireTwoFactor && (auth!.session.aal < 2 || auth!.session.secondFactorRemembered)) {
    return new AppError('TWO_FACTOR_REQUIRED', {
      detail: auth!.user.twoFactorEnabled
        ? 'Admin pages need a sign-in with your second factor'
        : 'Admin pages need two-factor authentication: set it up under Settings → Security (POST /api/auth/2fa/setup), then sign in again',
      extensions: { setup: { method: 'POST', href: '/api/auth/2fa/setup' } },
    });
  }
  return undefined;
}

export function createAdminGuard(options: { requireTwoFactor: boolean }): RequestHandler {
  return (req, _res, next) => {
    next(adminRefusal(req.auth, options.requireTwoFactor));
  };
}

/**
 * A route that needs a proven second factor (a host's `requireSession({ aal: 2 })`): an account
 * without one is told how to set it up, one signed in with the password only to sign in again.
 */
export function secondFactorRefusal(auth: AuthContext | undefined): AppError | undefined {
  const refusal = sessionRefusal(auth);
  if (refusal) return refusal;
  if (auth!.session.aal >= 2) return undefined;
  return new AppError('TWO_FACTOR_REQUIRED', {
    detail: auth!.user.twoFactorEnabled
      ? 'This needs a sign-in with your second factor'
      : 'This needs two-factor authentication: set it up (POST /api/auth/2fa/setup), then sign in again',
    extensions: { setup: { method: 'POST', href: '/api/auth/2fa/setup' } },
  });
}

/**
 * Sensitive changes need a recent proof of the password (ASVS 4.0.3 V3.7.1). The answer
 * names the way back: POST /api/auth/reauthenticate with the password.
 */
export function requireFreshSession(sessions: SessionService, freshSeconds: number): RequestHandler {
  return (req, _res, next) => {
    const refusal = sessionRefusal(req.auth);
    if (refusal) return next(refusal);
    if (!sessions.isFresh(req.auth!.session, freshSeconds)) {
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
