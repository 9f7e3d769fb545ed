import type { Router } from 'express';
import { z } from 'zod';
import { mountRoute } from '../http/route';
import { requireSession } from './guards';
import type { AuthRoutesDeps, DeviceIdReaderFor } from './routes';
import { changePasswordBody, meView, reauthenticateBody, securityEventsQuery, securityEventView, sessionView } from './schemas';
import { meToView, securityEventToView, sessionToView } from './views';

/** GET /api/auth/me: the signed-in user and session. */
export function mountMeRoute(router: Router, deps: AuthRoutesDeps): void {
  const { registry, freshSeconds } = deps;
  mountRoute(
    router,
    registry,
    {
      method: 'get',
      path: '/api/auth/me',
      tag: 'auth',
      summary: 'The signed-in user and session',
      access: 'session',
      responses: { 200: { description: 'Current user', schema: meView } },
    },
    [requireSession],
    ({ req, res }) => {
      res.json(meToView(req.auth!, freshSeconds));
    },
  );
}

/** POST /api/auth/reauthenticate: the password again, for a fresh session. */
export function mountReauthenticateRoute(router: Router, deps: AuthRoutesDeps, deviceIdReader: DeviceIdReaderFor): void {
  const { registry, accounts, cookie, freshSeconds } = deps;
  mountRoute(
    router,
    registry,
    {
      method: 'post',
      path: '/api/auth/reauthenticate',
      tag: 'auth',
      summary: 'Confirm the password to make the session fresh for sensitive changes',
      access: 'session',
      body: reauthenticateBody,
      responses: {
        200: {
          description: 'Session is fresh; the session token was rotated',
          schema: z.object({ session: sessionView }),
          setCookie: { required: true, description: 'The rotated session cookie.' },
        },
      },
      errorCodes: ['INVALID_CREDENTIALS', 'RATE_LIMITED', 'SERVICE_UNAVAILABLE'],
    },
    [requireSession],
    async ({ req, res, body }) => {
      const issued = await accounts.reauthenticate(
        { auth: req.auth!, password: body.password, deviceIdFor: deviceIdReader(req) },
        req.context,
      );
      cookie.set(res, issued.token, issued.maxAgeSeconds);
      res.json({ session: sessionToView(issued.session, freshSeconds) });
    },
  );
}

/** POST /api/auth/password: a new password; every other session ends. */
export function mountChangePasswordRoute(router: Router, deps: AuthRoutesDeps, deviceIdReader: DeviceIdReaderFor): void {
  const { registry, accounts, cookie, freshSeconds } = deps;
  mountRoute(
    router,
    registry,
    {
      method: 'post',
      path: '/api/auth/password',
      tag: 'auth',
      summary: 'Change the password (current password required)',
      description: 'Signs out every other session and rotates this one; the new password meets the same policy as at registration.',
      access: 'session',
      body: changePasswordBody,
      responses: {
        200: {
          description: 'Password changed',
          schema: z.object({ session: sessionView, sessions_revoked: z.number().int() }),
          setCookie: { required: true, description: 'The rotated session cookie.' },
        },
      },
      errorCodes: ['INVALID_CREDENTIALS', 'PASSWORD_TOO_SHORT', 'PASSWORD_TOO_LONG', 'PASSWORD_TOO_COMMON', 'RATE_LIMITED', 'SERVICE_UNAVAILABLE'],
    },
    [requireSession],
    async ({ req, res, body }) => {
      const result = await accounts.changePassword(
        {
          auth: req.auth!,
          currentPassword: body.current_password,
          newPassword: body.new_password,
          deviceIdFor: deviceIdReader(req),
        },
        req.context,
      );
      cookie.set(res, result.issued.token, result.issued.maxAgeSeconds);
      res.json({ session: sessionToView(result.issued.session, freshSeconds), sessions_revoked: result.sessionsRevoked });
    },
  );
}

/** GET /api/auth/security-events: the signed-in user's own audit trail. */
export function mountSecurityEventsRoute(router: Router, deps: AuthRoutesDeps): void {
  const { registry, audit } = deps;
  mountRoute(
    router,
    registry,
    {
      method: 'get',
      path: '/api/auth/security-events',
      tag: 'auth',
      summary: "The signed-in user's recent security events (sign-ins, factor changes, lockouts)",
      access: 'session',
      query: securityEventsQuery,
      responses: { 200: { description: 'Newest first', schema: z.object({ events: z.array(securityEventView) }) } },
    },
    [requireSession],
    async ({ req, res, query }) => {
      const events = await audit.listForUser(req.auth!.user.id, query.limit ?? 50);
      res.json({ events: events.map(securityEventToView) });
    },
  );
}
