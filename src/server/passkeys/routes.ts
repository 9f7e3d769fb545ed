import { Router, type Request, type Response } from 'express';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { requireFreshSession, requireSession } from '../auth/guards';
import type { SessionService } from '../auth/session-service';
import { sessionToView, userToView } from '../auth/views';
import { AppError } from '../core/app-error';
import type { ErrorCode } from '../core/error-codes';
import type { RequestOrigin } from '../core/request-origin';
import { mountRoute, type RouteRegistry } from '../http/route';
import type { SessionCookie } from '../http/session-cookie';
import { answerWithRotatedSession, handOverSignedInSession } from '../http/signed-in-session';
import type { PasskeyLoginService } from './login-service';
import type { RelyingParty } from './relying-party';
import {
  authenticationOptionsBody,
  authenticationVerifyBody,
  listView,
  optionsView,
  passkeyView,
  registeredView,
  registrationVerifyBody,
  removedView,
  renameBody,
  signedInView,
} from './schemas';
import type { PasskeyService } from './service';
import type { PasskeyRow } from './store';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What a route that checks an assertion may answer: the same throttles and lockout as a TOTP code. */
const ASSERTION_ERRORS: ErrorCode[] = [
  'PASSKEY_CHALLENGE_INVALID',
  'PASSKEY_CHALLENGE_EXPIRED',
  'PASSKEY_VERIFICATION_FAILED',
  'PASSKEY_COUNTER_REGRESSED',
  'RATE_LIMITED',
  'TWO_FACTOR_LOCKED',
  'SERVICE_UNAVAILABLE',
];

function toView(row: PasskeyRow) {
  return {
    id: row.id,
    name: row.name,
    created_at: row.createdAt.toISOString(),
    last_used_at: row.lastUsedAt?.toISOString() ?? null,
    backed_up: row.backedUp,
    transports: row.transports,
  };
}

/** A path id that is not a UUID names no passkey (and must not reach the uuid column as a 500). */
function passkeyId(req: Request): string {
  const id = req.params.id;
  if (typeof id !== 'string' || !UUID.test(id)) throw new AppError('PASSKEY_NOT_FOUND');
  return id;
}

/**
 * Counts every sign-in options request of an address (PASSKEY_OPTIONS_IP_MAX_PER_HOUR), and the
 * passwordless ones of everyone together (PASSKEY_OPTIONS_GLOBAL_MAX_PER_HOUR): each stores a challenge.
 */
export interface PasskeyOptionsThrottle {
  beforeRequest(origin: RequestOrigin, request: { passwordless: boolean }): Promise<void>;
}

type PasskeyRouteDeps = {
  registry: RouteRegistry;
  passkeys: PasskeyService;
  login: PasskeyLoginService;
  relyingParty: RelyingParty;
  sessions: SessionService;
  cookie: SessionCookie;
  freshSeconds: number;
  /** Runs after a successful sign-in (the limits capability marks the browser as a known device). */
  onSignedIn?: (req: Request, res: Response, user: { email: string; credentialEpoch: number }) => void;
  optionsThrottle?: PasskeyOptionsThrottle;
};

/**
 * /api/auth/passkeys: management with the session cookie (fresh for add and remove), sign-in
 * with a temp token (second factor) or nothing (passwordless). Identity never comes from the body.
 */
export function createPasskeyRoutes(deps: PasskeyRouteDeps): Router {
  const router = Router();
  mountRegistrationRoutes(router, deps);
  mountManagementRoutes(router, deps);
  mountSignInRoutes(router, deps);
  return router;
}

/** The WebAuthn origins a response may come from, for the port this request arrived on. */
function expectedOrigins(deps: PasskeyRouteDeps, req: Request): string[] {
  return deps.relyingParty.expectedOrigins(req.socket.localPort);
}

/** Adding a passkey: creation options, then the authenticator's answer (fresh session both). */
function mountRegistrationRoutes(router: Router, deps: PasskeyRouteDeps): void {
  const { registry, passkeys, cookie, freshSeconds } = deps;
  const fresh = requireFreshSession(deps.sessions, freshSeconds);
  mountRoute(
    router,
    registry,
    {
      method: 'post',
      path: '/api/auth/passkeys/registration/options',
      tag: 'passkeys',
      summary: 'Start adding a passkey: WebAuthn creation options (fresh session required)',
      description: 'Attestation none, resident key and user verification preferred, the account\'s passkeys excluded. The challenge is single-use, bound to this session, replaces the session\'s earlier ones, and expires with TWO_FACTOR_TEMP_TOKEN_TTL.',
      access: 'session',
      responses: { 200: { description: 'PublicKeyCredentialCreationOptionsJSON', schema: optionsView } },
      errorCodes: ['SESSION_NOT_FRESH', 'TWO_FACTOR_REQUIRED', 'PASSKEY_LIMIT_REACHED'],
    },
    [requireSession, fresh],
    async ({ req, res }) => {
      res.json(await passkeys.registrationOptions(req.auth!));
    },
  );

  mountRoute(
    router,
    registry,
    {
      method: 'post',
      path: '/api/auth/passkeys/registration/verify',
      tag: 'passkeys',
      summary: 'Finish adding a passkey (fresh session required)',
      description: 'Ends the user\'s other sessions and temp tokens and rotates this session (AAL2). When the passkey is the account\'s first second factor, two-factor turns on and 10 backup codes are returned once.',
      access: 'session',
      body: registrationVerifyBody,
      responses: { 200: { description: 'Passkey added', schema: registeredView } },
      errorCodes: ['PASSKEY_CHALLENGE_INVALID', 'PASSKEY_CHALLENGE_EXPIRED', 'PASSKEY_VERIFICATION_FAILED', 'PASSKEY_ALREADY_REGISTERED', 'SESSION_NOT_FRESH', 'TWO_FACTOR_REQUIRED'],
    },
    [requireSession, fresh],
    async ({ req, res, body }) => {
      const result = await passkeys.verifyRegistration(
        req.auth!,
        { response: body.response as RegistrationResponseJSON, name: body.name, expectedOrigins: expectedOrigins(deps, req) },
        req.context,
      );
      const view = toView(result.passkey);
      answerWithRotatedSession(
        res,
        cookie,
        result.issued,
        { id: view.id, name: view.name, created_at: view.created_at, ...(result.backupCodes ? { backup_codes: result.backupCodes } : {}) },
        sessionToView(result.issued.session, freshSeconds),
      );
    },
  );
}

/** Listing, renaming and removing the signed-in user's passkeys. */
function mountManagementRoutes(router: Router, deps: PasskeyRouteDeps): void {
  const { registry, passkeys, cookie, freshSeconds } = deps;
  const fresh = requireFreshSession(deps.sessions, freshSeconds);
  mountRoute(
    router,
    registry,
    {
      method: 'get',
      path: '/api/auth/passkeys',
      tag: 'passkeys',
      summary: 'The signed-in user\'s passkeys (public data only)',
      access: 'session',
      responses: { 200: { description: 'Passkeys', schema: listView } },
      errorCodes: ['TWO_FACTOR_REQUIRED'],
    },
    [requireSession],
    async ({ req, res }) => {
      res.json({ passkeys: (await passkeys.list(req.auth!)).map(toView) });
    },
  );

  mountRoute(
    router,
    registry,
    {
      method: 'patch',
      path: '/api/auth/passkeys/:id',
      tag: 'passkeys',
      summary: 'Rename a passkey',
      access: 'session',
      body: renameBody,
      responses: { 200: { description: 'Renamed', schema: passkeyView } },
      errorCodes: ['PASSKEY_NOT_FOUND', 'TWO_FACTOR_REQUIRED'],
    },
    [requireSession],
    async ({ req, res, body }) => {
      res.json(toView(await passkeys.rename(req.auth!, passkeyId(req), body.name, req.context)));
    },
  );

  mountRoute(
    router,
    registry,
    {
      method: 'delete',
      path: '/api/auth/passkeys/:id',
      tag: 'passkeys',
      summary: 'Remove a passkey (fresh session required)',
      description: 'Ends the user\'s other sessions and rotates this one. Removing the last passkey of an account without TOTP turns two-factor off, as disabling TOTP does: backup codes deleted, this session back to AAL1.',
      access: 'session',
      responses: { 200: { description: 'Removed', schema: removedView } },
      errorCodes: ['PASSKEY_NOT_FOUND', 'SESSION_NOT_FRESH', 'TWO_FACTOR_REQUIRED'],
    },
    [requireSession, fresh],
    async ({ req, res }) => {
      const result = await passkeys.remove(req.auth!, passkeyId(req), req.context);
      answerWithRotatedSession(res, cookie, result.issued, { two_factor_enabled: !result.twoFactorDisabled }, sessionToView(result.issued.session, freshSeconds));
    },
  );
}

/** Signing in with a passkey: as the second factor (with a temp token) or passwordless. */
function mountSignInRoutes(router: Router, deps: PasskeyRouteDeps): void {
  const { registry, login, freshSeconds } = deps;
  const browser = { cookie: deps.cookie, revokeToken: (token: string) => deps.sessions.revokeToken(token), onSignedIn: deps.onSignedIn };
  mountRoute(
    router,
    registry,
    {
      method: 'post',
      path: '/api/auth/passkeys/authentication/options',
      tag: 'passkeys',
      summary: 'Sign-in options: with temp_token the second factor, without it a passwordless (discoverable) sign-in',
      description:
        'Counted per client address (PASSKEY_OPTIONS_IP_MAX_PER_HOUR), the passwordless ones also for everyone together (PASSKEY_OPTIONS_GLOBAL_MAX_PER_HOUR). With temp_token the new challenge replaces the temp token\'s earlier ones.',
      access: 'public',
      body: authenticationOptionsBody,
      responses: { 200: { description: 'PublicKeyCredentialRequestOptionsJSON', schema: optionsView } },
      errorCodes: ['TEMP_TOKEN_INVALID', 'TEMP_TOKEN_EXPIRED', 'PASSKEY_NOT_FOUND', 'RATE_LIMITED', 'SERVICE_UNAVAILABLE'],
    },
    [],
    async ({ req, res, body }) => {
      await deps.optionsThrottle?.beforeRequest(req.context, { passwordless: body.temp_token === undefined });
      res.json(await login.authenticationOptions({ tempToken: body.temp_token }));
    },
  );

  mountRoute(
    router,
    registry,
    {
      method: 'post',
      path: '/api/auth/passkeys/authentication/verify',
      tag: 'passkeys',
      summary: 'Finish a passkey sign-in → AAL2 session cookie',
      description: 'With temp_token: the second login step, throttled and locked like POST /api/auth/2fa/verify. Without: passwordless, user verification required.',
      access: 'public',
      body: authenticationVerifyBody,
      responses: { 200: { description: 'Signed in (AAL2)', schema: signedInView } },
      errorCodes: [...ASSERTION_ERRORS, 'TEMP_TOKEN_INVALID', 'TEMP_TOKEN_EXPIRED'],
    },
    [],
    async ({ req, res, body }) => {
      const response = body.response as AuthenticationResponseJSON;
      const origin = req.context;
      const result =
        body.temp_token === undefined
          ? await login.verifyPasswordless({ response, expectedOrigins: expectedOrigins(deps, req) }, origin)
          : await login.verifySecondFactor({ tempToken: body.temp_token, response, expectedOrigins: expectedOrigins(deps, req) }, origin);
      await handOverSignedInSession(req, res, browser, result);
      res.json({ user: userToView(result.user), session: sessionToView(result.issued.session, freshSeconds) });
    },
  );
}
