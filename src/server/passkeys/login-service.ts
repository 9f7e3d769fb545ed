import { loadWebAuthn } from './webauthn';
import type { AuthenticationResponseJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import type { AuditLog } from '../audit/service';
import type { RequestOrigin } from '../core/request-origin';
import type { IssuedSession, SessionService } from '../auth/session-service';
import type { UserRow, UserStore } from '../auth/user-store';
import { AppError } from '../core/app-error';
import { ipLimiterKey } from '../core/client-address';
import type { Clock } from '../lib/clock';
import type { RandomBytes } from '../lib/random';
import type { Telemetry } from '../lib/telemetry';
import { hashToken, isWellFormedToken } from '../lib/tokens';
import type { TwoFactorLimits } from '../twofactor/service';
import { createAttemptThrottle, type AttemptThrottle } from '../twofactor/throttle';
import type { LoginCompletion, TwoFactorStore } from '../twofactor/store';
import { tempTokenRefusal } from '../twofactor/temp-token-refusal';
import { createAssertionCheck, type AssertionCheck } from './assertion';
import { consumeChallenge, newChallenge } from './challenges';
import type { RelyingParty } from './relying-party';
import type { PasskeyStore } from './store';

export type SignedInUser = Pick<UserRow, 'id' | 'email' | 'role' | 'createdAt' | 'credentialEpoch'>;

export interface PasskeyLoginService {
  /** With a temp token: the second factor (the account's passkeys allowed); without: passwordless (discoverable). */
  authenticationOptions(input: { tempToken: string | undefined }): Promise<PublicKeyCredentialRequestOptionsJSON>;
  verifySecondFactor(
    input: { tempToken: string; response: AuthenticationResponseJSON; expectedOrigins: string[] },
    origin: RequestOrigin,
  ): Promise<{ user: SignedInUser; issued: IssuedSession }>;
  verifyPasswordless(
    input: { response: AuthenticationResponseJSON; expectedOrigins: string[] },
    origin: RequestOrigin,
  ): Promise<{ user: SignedInUser; issued: IssuedSession }>;
}

type PasskeyLoginDeps = {
  store: PasskeyStore;
  /** The temp tokens of the password step (the twofactor capability's store). */
  tempTokens: Pick<TwoFactorStore, 'findChallenge' | 'takeChallengeAttempt' | 'completeLogin'>;
  users: Pick<UserStore, 'findById'>;
  sessions: SessionService;
  audit: AuditLog;
  telemetry: Telemetry;
  clock: Clock;
  randomBytes: RandomBytes;
  relyingParty: RelyingParty;
  /** The same throttles and lockout as a TOTP code. */
  limits: TwoFactorLimits;
  challengeTtlSeconds: number;
};

type PasskeyLogin = { deps: PasskeyLoginDeps; assertion: AssertionCheck; throttle: AttemptThrottle; now: () => Date };

export function createPasskeyLoginService(deps: PasskeyLoginDeps): PasskeyLoginService {
  const self: PasskeyLogin = {
    deps,
    assertion: createAssertionCheck(deps),
    throttle: createAttemptThrottle(deps.limits),
    now: () => new Date(deps.clock.nowMs()),
  };
  return {
    authenticationOptions: (input) => authenticationOptions(self, input),
    verifySecondFactor: (input, origin) => verifySecondFactor(self, input, origin),
    verifyPasswordless: (input, origin) => verifyPasswordless(self, input, origin),
  };
}

const tokenRefusal = ({ deps }: PasskeyLogin, tokenHash: string | undefined) =>
  tempTokenRefusal(deps.tempTokens, tokenHash, deps.limits.tempTokenMaxFailures, deps.clock.nowMs());

/** Same order as TOTP verify: an attempt on the token, then the per-IP and per-user points, before anything is evaluated. */
async function takeAttempt(self: PasskeyLogin, tempToken: string, origin: RequestOrigin) {
  const { limits, tempTokens } = self.deps;
  const tokenHash = isWellFormedToken(tempToken) ? hashToken(tempToken) : undefined;
  const attempt = tokenHash ? await tempTokens.takeChallengeAttempt(tokenHash, limits.tempTokenMaxFailures, self.now()) : undefined;
  if (!attempt) {
    await self.throttle.reserveAddressPoint(origin);
    throw await tokenRefusal(self, tokenHash);
  }
  await self.throttle.reserveAttemptBudgets(attempt.user.id, origin);
  return { attempt, ipKey: ipLimiterKey(origin.ip), context: { userId: attempt.user.id, origin: origin } };
}

async function authenticationOptions(self: PasskeyLogin, { tempToken }: { tempToken: string | undefined }): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const { deps } = self;
  const { store, relyingParty, limits, clock } = deps;
  const { generateAuthenticationOptions } = await loadWebAuthn();
  if (tempToken === undefined) {
    const challenge = await newChallenge(store, deps, { purpose: 'passwordless' });
    return generateAuthenticationOptions({ rpID: relyingParty.rpID, challenge, timeout: deps.challengeTtlSeconds * 1000, userVerification: 'required' });
  }
  const tokenHash = isWellFormedToken(tempToken) ? hashToken(tempToken) : undefined;
  const found = tokenHash ? await deps.tempTokens.findChallenge(tokenHash) : undefined;
  const live = found && !found.consumedAt && found.failedAttempts < limits.tempTokenMaxFailures && found.expiresAt.getTime() > clock.nowMs();
  if (!live) throw await tokenRefusal(self, tokenHash);
  const passkeys = await store.listForUser(found.userId);
  if (passkeys.length === 0) throw new AppError('PASSKEY_NOT_FOUND');
  const challenge = await newChallenge(store, deps, { purpose: 'second_factor', tempChallengeId: found.id }, { userId: found.userId, userHandle: null });
  return generateAuthenticationOptions({
    rpID: relyingParty.rpID,
    challenge,
    timeout: deps.challengeTtlSeconds * 1000,
    userVerification: 'preferred',
    allowCredentials: passkeys.map((row) => ({ id: row.credentialId, transports: row.transports })),
  });
}

async function verifySecondFactor(
  self: PasskeyLogin,
  input: { tempToken: string; response: AuthenticationResponseJSON; expectedOrigins: string[] },
  origin: RequestOrigin,
): Promise<{ user: SignedInUser; issued: IssuedSession }> {
  const { deps, assertion } = self;
  const { store, sessions, audit, limits } = deps;
  const { attempt, ipKey, context } = await takeAttempt(self, input.tempToken, origin);
  const { user } = attempt;
  const pending = sessions.prepare({ id: user.id, credentialEpoch: attempt.credentialEpoch }, 2, origin);
  let completion: LoginCompletion;
  try {
    const { challenge } = await consumeChallenge(store, deps.clock, input.response.response?.clientDataJSON, { purpose: 'second_factor', tempChallengeId: attempt.challengeId });
    const passkey = await store.findByCredentialId(String(input.response.id));
    if (!passkey || passkey.userId !== user.id) await assertion.fail(user.id, 'unknown_credential', 'login', origin, 'PASSKEY_VERIFICATION_FAILED');
    await assertion.check(passkey!, { ...input, challenge }, 'login', origin);
    completion = await deps.tempTokens.completeLogin({
      challengeId: attempt.challengeId,
      userId: user.id,
      totpStep: null,
      now: self.now(),
      session: pending.row,
      events: audit.toRows([
        { type: '2fa.verify.succeeded', ...context, details: { method: 'passkey', via: 'login' } },
        { type: 'auth.login.succeeded', ...context, details: { aal: 2, method: 'passkey' } },
      ]),
    });
  } catch (error) {
    if (attempt.attempts >= limits.tempTokenMaxFailures) {
      await audit.record('2fa.temp_token_invalidated', { ...context, details: { reason: 'too_many_failures', count: attempt.attempts } });
    }
    throw error;
  }
  if (completion.outcome !== 'completed') throw new AppError('TEMP_TOKEN_INVALID');
  await self.throttle.settleSuccess(user.id, ipKey);
  deps.telemetry.emit('2fa.verified', { user_id: user.id, method: 'passkey', outcome: 'success', request_id: origin.requestId });
  return { user: { ...user, credentialEpoch: attempt.credentialEpoch }, issued: sessions.opened(pending, completion.sessionId) };
}

async function verifyPasswordless(
  self: PasskeyLogin,
  input: { response: AuthenticationResponseJSON; expectedOrigins: string[] },
  origin: RequestOrigin,
): Promise<{ user: SignedInUser; issued: IssuedSession }> {
  const { deps, assertion } = self;
  const { store, sessions, audit } = deps;
  const ipKey = ipLimiterKey(origin.ip);
  await self.throttle.reserveAddressPoint(origin);
  const { challenge } = await consumeChallenge(store, deps.clock, input.response.response?.clientDataJSON, { purpose: 'passwordless' });
  const passkey = await store.findByCredentialId(String(input.response.id));
  // A discoverable credential names its user: the handle it returns must be the one it was registered with.
  if (!passkey || input.response.response.userHandle !== passkey.userHandle) {
    return assertion.fail(passkey?.userId ?? null, 'unknown_credential', 'passwordless', origin, 'PASSKEY_VERIFICATION_FAILED');
  }
  const context = { userId: passkey.userId, origin: origin };
  await self.throttle.reserveUserBudgets(passkey.userId, context);
  await assertion.check(passkey, { ...input, challenge }, 'passwordless', origin);
  const user = await deps.users.findById(passkey.userId);
  // Issued only under the epoch just read: a concurrent credential change makes this sign-in start over.
  const issued = user && (await sessions.issue(user, 2, origin));
  if (!user || !issued) throw new AppError('SERVICE_UNAVAILABLE', { detail: 'The account changed during sign-in; try again', retryAfterSeconds: 1 });
  await audit.record('auth.login.succeeded', { ...context, details: { aal: 2, method: 'passkey', via: 'passwordless' } });
  await self.throttle.settleSuccess(user.id, ipKey);
  deps.telemetry.emit('auth.login', { outcome: 'success', user_id: user.id, aal: 2, request_id: origin.requestId });
  return { user, issued };
}
