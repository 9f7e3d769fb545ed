import { generateAuthenticationOptions, verifyAuthenticationResponse } from '@simplewebauthn/server';
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
import type { LoginCompletion, TwoFactorStore } from '../twofactor/store';
import { consumeChallenge, newChallenge } from './challenges';
import type { RelyingParty } from './relying-party';
import type { PasskeyRow, PasskeyStore } from './store';

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

export function createPasskeyLoginService(deps: {
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
}): PasskeyLoginService {
  const { store, tempTokens, sessions, audit, telemetry, clock, relyingParty, limits } = deps;
  const now = () => new Date(clock.nowMs());

  async function fail(userId: string | null, reason: string, via: 'login' | 'passwordless', origin: RequestOrigin, code: 'PASSKEY_VERIFICATION_FAILED' | 'PASSKEY_COUNTER_REGRESSED'): Promise<never> {
    await audit.record('2fa.verify.failed', { userId, origin: origin, details: { method: 'passkey', reason, via } });
    telemetry.emit('2fa.verified', { user_id: userId, method: 'passkey', outcome: reason, request_id: origin.requestId });
    throw new AppError(code);
  }

  /**
   * Verifies the signature with the library, then advances the stored counter in one
   * conditional statement. The library is given counter 0 so that only a response with a valid
   * signature can be reported as a clone: a forged low counter is just a bad signature.
   */
  async function checkAssertion(passkey: PasskeyRow, input: { response: AuthenticationResponseJSON; challenge: string; expectedOrigins: string[] }, via: 'login' | 'passwordless', origin: RequestOrigin) {
    let info: { newCounter: number; credentialBackedUp: boolean } | undefined;
    try {
      const verified = await verifyAuthenticationResponse({
        response: input.response,
        expectedChallenge: input.challenge,
        expectedOrigin: input.expectedOrigins,
        expectedRPID: relyingParty.rpID,
        credential: { id: passkey.credentialId, publicKey: new Uint8Array(Buffer.from(passkey.publicKey, 'base64url')), counter: 0, transports: passkey.transports as never },
        // Passwordless is the whole sign-in: the authenticator must have verified the user (PIN, biometrics).
        requireUserVerification: via === 'passwordless',
      });
      if (verified.verified) info = verified.authenticationInfo;
    } catch {
      // The library's message may quote client data; only the fact is kept.
    }
    if (!info) return fail(passkey.userId, 'invalid_assertion', via, origin, 'PASSKEY_VERIFICATION_FAILED');
    if (!(await store.advanceCounter(passkey.id, info.newCounter, info.credentialBackedUp, now()))) {
      await audit.record('passkeys.counter_regressed', { userId: passkey.userId, origin: origin, details: { count: info.newCounter, via } });
      return fail(passkey.userId, 'counter_regressed', via, origin, 'PASSKEY_COUNTER_REGRESSED');
    }
  }

  async function tempTokenRefusal(tokenHash: string | undefined): Promise<AppError> {
    const challenge = tokenHash ? await tempTokens.findChallenge(tokenHash) : undefined;
    const expired = challenge && !challenge.consumedAt && challenge.failedAttempts < limits.tempTokenMaxFailures && challenge.expiresAt.getTime() <= clock.nowMs();
    return new AppError(expired ? 'TEMP_TOKEN_EXPIRED' : 'TEMP_TOKEN_INVALID');
  }

  /** Same order as TOTP verify: a point per IP and an attempt on the token before anything is evaluated. */
  async function takeAttempt(tempToken: string, origin: RequestOrigin) {
    const ipKey = ipLimiterKey(origin.ip);
    const tokenHash = isWellFormedToken(tempToken) ? hashToken(tempToken) : undefined;
    const [, attempt] = await Promise.all([
      limits.ip.reserve(ipKey, { origin: origin }),
      tokenHash ? tempTokens.takeChallengeAttempt(tokenHash, limits.tempTokenMaxFailures, now()) : Promise.resolve(undefined),
    ]);
    if (!attempt) throw await tempTokenRefusal(tokenHash);
    const context = { userId: attempt.user.id, origin: origin };
    await limits.userShort.reserve(attempt.user.id, context);
    await limits.userDaily.reserve(attempt.user.id, context);
    return { attempt, ipKey, context };
  }

  async function settleSuccess(userId: string, ipKey: string) {
    await Promise.all([limits.userShort.reset(userId), limits.userDaily.refund(userId), limits.ip.refund(ipKey)]);
  }

  return {
    async authenticationOptions({ tempToken }) {
      if (tempToken === undefined) {
        const challenge = await newChallenge(store, deps, { purpose: 'passwordless' });
        return generateAuthenticationOptions({ rpID: relyingParty.rpID, challenge, timeout: deps.challengeTtlSeconds * 1000, userVerification: 'required' });
      }
      const tokenHash = isWellFormedToken(tempToken) ? hashToken(tempToken) : undefined;
      const found = tokenHash ? await tempTokens.findChallenge(tokenHash) : undefined;
      const live = found && !found.consumedAt && found.failedAttempts < limits.tempTokenMaxFailures && found.expiresAt.getTime() > clock.nowMs();
      if (!live) throw await tempTokenRefusal(tokenHash);
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
    },

    async verifySecondFactor(input, origin) {
      const { attempt, ipKey, context } = await takeAttempt(input.tempToken, origin);
      const { user } = attempt;
      const pending = sessions.prepare({ id: user.id, credentialEpoch: attempt.credentialEpoch }, 2, origin);
      let completion: LoginCompletion;
      try {
        const { challenge } = await consumeChallenge(store, clock, input.response.response?.clientDataJSON, { purpose: 'second_factor', tempChallengeId: attempt.challengeId });
        const passkey = await store.findByCredentialId(String(input.response.id));
        if (!passkey || passkey.userId !== user.id) await fail(user.id, 'unknown_credential', 'login', origin, 'PASSKEY_VERIFICATION_FAILED');
        await checkAssertion(passkey!, { ...input, challenge }, 'login', origin);
        completion = await tempTokens.completeLogin({
          challengeId: attempt.challengeId,
          userId: user.id,
          totpStep: null,
          now: now(),
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
      await settleSuccess(user.id, ipKey);
      telemetry.emit('2fa.verified', { user_id: user.id, method: 'passkey', outcome: 'success', request_id: origin.requestId });
      return { user: { ...user, credentialEpoch: attempt.credentialEpoch }, issued: sessions.opened(pending, completion.sessionId) };
    },

    async verifyPasswordless(input, origin) {
      const ipKey = ipLimiterKey(origin.ip);
      await limits.ip.reserve(ipKey, { origin: origin });
      const { challenge } = await consumeChallenge(store, clock, input.response.response?.clientDataJSON, { purpose: 'passwordless' });
      const passkey = await store.findByCredentialId(String(input.response.id));
      // A discoverable credential names its user: the handle it returns must be the one it was registered with.
      if (!passkey || input.response.response.userHandle !== passkey.userHandle) {
        return fail(passkey?.userId ?? null, 'unknown_credential', 'passwordless', origin, 'PASSKEY_VERIFICATION_FAILED');
      }
      const context = { userId: passkey.userId, origin: origin };
      await limits.userShort.reserve(passkey.userId, context);
      await limits.userDaily.reserve(passkey.userId, context);
      await checkAssertion(passkey, { ...input, challenge }, 'passwordless', origin);
      const user = await deps.users.findById(passkey.userId);
      // Issued only under the epoch just read: a concurrent credential change makes this sign-in start over.
      const issued = user && (await sessions.issue(user, 2, origin));
      if (!user || !issued) throw new AppError('SERVICE_UNAVAILABLE', { detail: 'The account changed during sign-in; try again', retryAfterSeconds: 1 });
      await audit.record('auth.login.succeeded', { ...context, details: { aal: 2, method: 'passkey', via: 'passwordless' } });
      await settleSuccess(user.id, ipKey);
      telemetry.emit('auth.login', { outcome: 'success', user_id: user.id, aal: 2, request_id: origin.requestId });
      return { user, issued };
    },
  };
}
