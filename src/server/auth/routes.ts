import { Router } from 'express';
import { z } from 'zod';
import type { AuditLog } from '../audit/service';
import { mountRoute, type RouteRegistry } from '../http/route';
import type { SessionCookie } from '../http/session-cookie';
import type { Request } from 'express';
import type { DeviceCookie } from '../http/device-cookie';
import type { AccountService, DeviceIdReader } from './account-service';
import type { RequestOrigin } from '../core/request-origin';
import { requireSession } from './guards';
import {
  changePasswordBody,
  loginBody,
  loginResponse,
  meView,
  reauthenticateBody,
  registerBody,
  securityEventsQuery,
  securityEventView,
  sessionView,
  userView,
} from './schemas';
import { meToView, securityEventToView, sessionToView, userToView } from './views';

/**
 * Registration throttle (filled by the throttle policy, composition/throttle-policy.ts): takes a point per attempt,
 * whatever its outcome, and throws RATE_LIMITED when over a limit. It sits here rather than in
 * the account service because only HTTP sign-ups are anonymous; the CLI's user:create is not.
 */
export interface RegistrationThrottle {
  beforeAttempt(origin: RequestOrigin): Promise<void>;
}

export function createAuthRoutes(deps: {
  registry: RouteRegistry;
  accounts: AccountService;
  audit: AuditLog;
  cookie: SessionCookie;
  freshSeconds: number;
  deviceCookie: DeviceCookie | undefined;
  /** Absent only in a build without the limits capability. */
  registrationThrottle?: RegistrationThrottle;
  /** The browser's remembered-device token (sessions capability), offered to the password step. */
  readRememberedDevice?: (req: Request) => string | undefined;
  /** TWO_FACTOR_REMEMBER_DAYS, told to the second-factor step so it can offer "Remember this browser". */
  rememberDeviceDays?: number;
}): Router {
  const { registry, accounts, audit, cookie, freshSeconds, deviceCookie, registrationThrottle } = deps;
  const router = Router();
  const deviceIdReader =
    (req: Request): DeviceIdReader =>
    (email, credentialEpoch) =>
      deviceCookie?.deviceIdFor(req, email, credentialEpoch);

  mountRoute(
    router,
    registry,
    {
      method: 'post',
      path: '/api/auth/register',
      tag: 'auth',
      summary: 'Create an account (does not sign in)',
      access: 'public',
      body: registerBody,
      requestExample: { email: 'ada@example.com', password: 'a long passphrase of yours' },
      responses: {
        201: {
          description: 'Account created',
          schema: z.object({ user: userView }),
          example: {
            user: { id: '0b9f3c1e-6d2a-4f7e-9c55-1a2b3c4d5e6f', email: 'ada@example.com', role: 'user', is_admin: false, created_at: '2026-11-30T09:00:00.000Z' },
          },
        },
      },
      errorCodes: ['EMAIL_ALREADY_REGISTERED', 'PASSWORD_TOO_SHORT', 'PASSWORD_TOO_LONG', 'PASSWORD_TOO_COMMON', 'RATE_LIMITED', 'SERVICE_UNAVAILABLE'],
    },
    [],
    async ({ req, res, body }) => {
      const origin = req.context;
      await registrationThrottle?.beforeAttempt(origin);
      const user = await accounts.register(body, origin);
      res.status(201).json({ user: userToView(user) });
    },
  );

  mountRoute(
    router,
    registry,
    {
      method: 'post',
      path: '/api/auth/login',
      tag: 'auth',
      summary: 'Sign in with email and password',
      description:
        'Without two-factor: sets the session cookie (AAL1). With two-factor enabled: sets no cookie and answers requires_2fa with a temp_token and the methods the account has (totp, passkey, backup_code), for POST /api/auth/2fa/verify or /api/auth/passkeys/authentication/verify — unless the browser holds a remembered-device cookie for this account under its current credentials, which gives an AAL2 session with second_factor_remembered: true (not enough for admin routes under ADMIN_REQUIRE_2FA).',
      access: 'public',
      body: loginBody,
      requestExample: { email: 'ada@example.com', password: 'a long passphrase of yours' },
      responses: {
        200: {
          description: 'Signed in, or second factor required',
          schema: loginResponse,
          example: { requires_2fa: true, temp_token: 'tt_3q2-7GdV0aK9wZ8bLmN4xY', expires_in: 300, methods: ['totp', 'backup_code'], remember_device_days: 30 },
          setCookie: {
            required: false,
            description: 'Without two-factor: the session cookie and the device cookie. With two-factor: none (an older session cookie is cleared).',
          },
        },
      },
      errorCodes: ['INVALID_CREDENTIALS', 'RATE_LIMITED', 'SERVICE_UNAVAILABLE'],
    },
    [],
    async ({ req, res, body }) => {
      const outcome = await accounts.login(
        {
          ...body,
          deviceIdFor: deviceIdReader(req),
          previousSessionToken: cookie.read(req),
          rememberedDeviceToken: deps.readRememberedDevice?.(req),
        },
        req.context,
      );
      if (outcome.kind === 'second_factor') {
        // No session cookie until the second factor passes; drop any old one the browser holds.
        if (cookie.read(req)) cookie.clear(res);
        res.status(200).json({
          requires_2fa: true,
          temp_token: outcome.tempToken,
          expires_in: outcome.expiresInSeconds,
          methods: outcome.methods ?? ['totp', 'backup_code'],
          remember_device_days: deps.rememberDeviceDays ?? 0,
        });
        return;
      }
      cookie.set(res, outcome.issued.token, outcome.issued.maxAgeSeconds);
      deviceCookie?.issue(req, res, outcome.user.email, outcome.user.credentialEpoch);
      res.status(200).json({
        requires_2fa: false,
        user: userToView(outcome.user),
        session: sessionToView(outcome.issued.session, freshSeconds),
      });
    },
  );

  mountRoute(
    router,
    registry,
    {
      method: 'post',
      path: '/api/auth/logout',
      tag: 'auth',
      summary: 'Sign out: deletes the server-side session',
      access: 'public',
      responses: { 204: { description: 'Signed out (also when there was no session)', setCookie: { required: true, description: 'Clears the session cookie.' } } },
    },
    [],
    async ({ req, res }) => {
      await accounts.logout(cookie.read(req), req.auth?.user.id, req.context);
      cookie.clear(res);
      res.status(204).end();
    },
  );

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

  return router;
}
