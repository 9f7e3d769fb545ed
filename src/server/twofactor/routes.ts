import { Router, type Request, type Response } from 'express';
import type { SessionService } from '../auth/session-service';
import { requireFreshSession, requireSession } from '../auth/guards';
import { sessionToView, userToView } from '../auth/views';
import type { ErrorCode } from '../core/error-codes';
import { mountRoute, type RouteRegistry } from '../http/route';
import type { SessionCookie } from '../http/session-cookie';
import { answerWithRotatedSession, handOverSignedInSession } from '../http/signed-in-session';
import {
  backupCodesView,
  confirmBody,
  confirmView,
  disableView,
  factorBody,
  setupView,
  statusView,
  verifyBody,
  verifyView,
} from './schemas';
import type { SecondFactorInput, TwoFactorService } from './service';

/** What any route that checks a second-factor code may answer, beyond its own codes. */
const CODE_CHECK_ERRORS: ErrorCode[] = [
  'INVALID_CODE',
  'CODE_ALREADY_USED',
  'RATE_LIMITED',
  'TWO_FACTOR_LOCKED',
  'SECRET_DECRYPTION_FAILED',
  'SERVICE_UNAVAILABLE',
];

function factorFrom(body: { code: string } | { backup_code: string }): SecondFactorInput {
  return 'backup_code' in body ? { backupCode: body.backup_code } : { code: body.code };
}

type TwoFactorRouteDeps = {
  registry: RouteRegistry;
  twoFactor: TwoFactorService;
  sessions: SessionService;
  cookie: SessionCookie;
  freshSeconds: number;
  /** Runs after a successful verify (the limits capability marks the browser as a known device). */
  onSecondFactorVerified?: (req: Request, res: Response, user: { email: string; credentialEpoch: number }) => void;
  /** "Remember this browser" (sessions capability): remembers it and sets its cookie; the expiry, or undefined when off. */
  rememberThisBrowser?: (req: Request, res: Response, user: { id: string; credentialEpoch: number }) => Promise<Date | undefined>;
};

/**
 * /api/auth/2fa: identity comes from the session cookie only (verify: from the temp token);
 * no route reads a user id from the body.
 */
export function createTwoFactorRoutes(deps: TwoFactorRouteDeps): Router {
  const router = Router();
  mountSetupRoutes(router, deps);
  mountFactorChangeRoutes(router, deps);
  mountVerifyRoute(router, deps);
  return router;
}

/** Reading the status and starting setup: nothing changes the account's factors yet. */
function mountSetupRoutes(router: Router, deps: TwoFactorRouteDeps): void {
  const { registry, twoFactor } = deps;
  const fresh = requireFreshSession(deps.sessions, deps.freshSeconds);
  mountRoute(
    router,
    registry,
    {
      method: 'get',
      path: '/api/auth/2fa/status',
      tag: '2fa',
      summary: 'Two-factor status of the signed-in user (nothing secret)',
      access: 'session',
      responses: { 200: { description: 'Status', schema: statusView } },
      errorCodes: ['TWO_FACTOR_REQUIRED'],
    },
    [requireSession],
    async ({ req, res }) => {
      const status = await twoFactor.status(req.auth!);
      res.json({
        enabled: status.enabled,
        enabled_at: status.enabledAt?.toISOString() ?? null,
        backup_codes_remaining: status.backupCodesRemaining,
        last_used_at: status.lastUsedAt?.toISOString() ?? null,
        pending_setup: status.pendingSetup,
      });
    },
  );

  mountRoute(
    router,
    registry,
    {
      method: 'post',
      path: '/api/auth/2fa/setup',
      tag: '2fa',
      summary: 'Start (or restart) TOTP setup: returns the secret, otpauth URL and QR code once',
      description: 'Needs a fresh session, so a stolen session cookie alone cannot bind an attacker\'s authenticator to the account.',
      access: 'session',
      responses: { 200: { description: 'Pending credential created', schema: setupView } },
      errorCodes: ['TWO_FACTOR_ALREADY_ENABLED', 'SESSION_NOT_FRESH', 'TWO_FACTOR_REQUIRED'],
    },
    [requireSession, fresh],
    async ({ req, res }) => {
      const result = await twoFactor.setup(req.auth!, req.context);
      res.json({
        otpauth_url: result.otpauthUrl,
        qr_data_url: result.qrDataUrl,
        secret: result.secret,
        issuer: result.issuer,
        account: result.accountLabel,
      });
    },
  );
}

/** Confirm, disable and regenerate: each checks a code, changes the factors, and rotates this session. */
function mountFactorChangeRoutes(router: Router, deps: TwoFactorRouteDeps): void {
  const { registry, twoFactor, cookie, freshSeconds } = deps;
  const fresh = requireFreshSession(deps.sessions, freshSeconds);
  mountRoute(
    router,
    registry,
    {
      method: 'post',
      path: '/api/auth/2fa/confirm',
      tag: '2fa',
      summary: 'Confirm setup with a TOTP code: enables 2FA and returns 10 backup codes, once',
      description: 'Revokes the user\'s other sessions and rotates this session\'s token (now AAL2).',
      access: 'session',
      body: confirmBody,
      responses: { 200: { description: '2FA enabled', schema: confirmView, setCookie: { required: true, description: 'The rotated session cookie.' } } },
      errorCodes: [...CODE_CHECK_ERRORS, 'TWO_FACTOR_SETUP_REQUIRED', 'TWO_FACTOR_ALREADY_ENABLED', 'SESSION_NOT_FRESH'],
    },
    [requireSession, fresh],
    async ({ req, res, body }) => {
      const result = await twoFactor.confirm(req.auth!, body.code, req.context);
      answerWithRotatedSession(res, cookie, result.issued, { enabled: true, backup_codes: result.backupCodes }, sessionToView(result.issued.session, freshSeconds));
    },
  );

  mountRoute(
    router,
    registry,
    {
      method: 'post',
      path: '/api/auth/2fa/disable',
      tag: '2fa',
      summary: 'Disable 2FA with a TOTP or backup code (fresh session required)',
      description: 'Deletes the secret and all backup codes in one transaction, revokes other sessions, rotates this one.',
      access: 'session',
      body: factorBody,
      responses: { 200: { description: '2FA disabled', schema: disableView, setCookie: { required: true, description: 'The rotated session cookie.' } } },
      errorCodes: [...CODE_CHECK_ERRORS, 'BACKUP_CODE_REPLACED', 'TWO_FACTOR_NOT_ENABLED', 'SESSION_NOT_FRESH', 'TWO_FACTOR_REQUIRED'],
    },
    [requireSession, fresh],
    async ({ req, res, body }) => {
      const result = await twoFactor.disable(req.auth!, factorFrom(body), req.context);
      answerWithRotatedSession(res, cookie, result.issued, { enabled: false }, sessionToView(result.issued.session, freshSeconds));
    },
  );

  mountRoute(
    router,
    registry,
    {
      method: 'post',
      path: '/api/auth/2fa/backup-codes/regenerate',
      tag: '2fa',
      summary: 'Replace all backup codes (fresh session + TOTP code or one backup code); the new ones are returned once',
      description:
        'A backup code is accepted too (and used up), for someone without their authenticator app. The unused codes of the replaced set are answered BACKUP_CODE_REPLACED from then on.',
      access: 'session',
      body: factorBody,
      responses: { 200: { description: 'New backup codes', schema: backupCodesView, setCookie: { required: true, description: 'The rotated session cookie.' } } },
      errorCodes: [...CODE_CHECK_ERRORS, 'BACKUP_CODE_REPLACED', 'TWO_FACTOR_NOT_ENABLED', 'SESSION_NOT_FRESH', 'TWO_FACTOR_REQUIRED'],
    },
    [requireSession, fresh],
    async ({ req, res, body }) => {
      const result = await twoFactor.regenerateBackupCodes(req.auth!, factorFrom(body), req.context);
      answerWithRotatedSession(res, cookie, result.issued, { backup_codes: result.backupCodes }, sessionToView(result.issued.session, freshSeconds));
    },
  );
}

/** The second login step: the temp token and a code become an AAL2 session. */
function mountVerifyRoute(router: Router, deps: TwoFactorRouteDeps): void {
  const { registry, twoFactor, freshSeconds } = deps;
  const browser = { cookie: deps.cookie, revokeToken: (token: string) => deps.sessions.revokeToken(token), onSignedIn: deps.onSecondFactorVerified };
  mountRoute(
    router,
    registry,
    {
      method: 'post',
      path: '/api/auth/2fa/verify',
      tag: '2fa',
      summary: 'Second login step: temp_token + TOTP code or backup code → AAL2 session cookie',
      description:
        'With remember_device: true (and TWO_FACTOR_REMEMBER_DAYS > 0) also sets a remembered-device cookie: this browser then skips the second factor at sign-in, never the password, until it expires, the user forgets it, or the password or a factor changes.',
      access: 'public',
      body: verifyBody,
      requestExample: { temp_token: 'tt_3q2-7GdV0aK9wZ8bLmN4xY', code: '492039' },
      responses: {
        200: {
          description: 'Signed in (AAL2); the temp token is consumed',
          schema: verifyView,
          setCookie: { required: true, description: 'The AAL2 session cookie and the device cookie.' },
        },
      },
      errorCodes: [...CODE_CHECK_ERRORS, 'BACKUP_CODE_REPLACED', 'TEMP_TOKEN_INVALID', 'TEMP_TOKEN_EXPIRED'],
    },
    [],
    async ({ req, res, body }) => {
      const result = await twoFactor.verifyLogin({ tempToken: body.temp_token, ...factorFrom(body) }, req.context);
      await handOverSignedInSession(req, res, browser, result);
      const rememberedUntil = body.remember_device ? await deps.rememberThisBrowser?.(req, res, result.user) : undefined;
      res.json({
        user: userToView(result.user),
        session: sessionToView(result.issued.session, freshSeconds),
        remembered_until: rememberedUntil?.toISOString() ?? null,
      });
    },
  );
}
