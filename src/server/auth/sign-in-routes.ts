import type { Router } from 'express';
import { z } from 'zod';
import { mountRoute } from '../http/route';
import type { AuthRoutesDeps, DeviceIdReaderFor } from './routes';
import { loginBody, loginResponse, registerBody, userView } from './schemas';
import { sessionToView, userToView } from './views';

/** POST /api/auth/register: throttled per IP and overall before the account service sees it. */
export function mountRegisterRoute(router: Router, deps: AuthRoutesDeps): void {
  const { registry, accounts, registrationThrottle } = deps;
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
}

/** POST /api/auth/login: a session cookie, or a temp token for the second factor. */
export function mountLoginRoute(router: Router, deps: AuthRoutesDeps, deviceIdReader: DeviceIdReaderFor): void {
  const { registry, accounts, cookie, freshSeconds, deviceCookie } = deps;
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
          methods: outcome.methods,
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
}

/** POST /api/auth/logout: ends the server-side session and clears its cookie. */
export function mountLogoutRoute(router: Router, deps: AuthRoutesDeps): void {
  const { registry, accounts, cookie } = deps;
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
}
