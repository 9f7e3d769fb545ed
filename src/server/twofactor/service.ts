import QRCode from 'qrcode';
import type { Logger } from 'pino';
import type { AuditLog } from '../audit/service';
import type { RequestOrigin } from '../core/request-origin';
import type { SecondFactorGate } from '../auth/account-service';
import type { IssuedSession, SessionService } from '../auth/session-service';
import type { UserRow } from '../auth/user-store';
import { AppError } from '../core/app-error';
import { ipLimiterKey } from '../core/client-address';
import type { AuthContext } from '../core/auth-context';
import { hashSecret, verifySecret } from '../lib/argon2';
import type { Clock } from '../lib/clock';
import type { RandomBytes } from '../lib/random';
import { decryptSecret, encryptSecret, SecretDecryptionError, type KeyRing, type SecretContext } from '../lib/secret-box';
import type { Telemetry } from '../lib/telemetry';
import { generateToken, hashToken, isWellFormedToken } from '../lib/tokens';
import type { HitContext, LimitGate } from '../limits/limit-gate';
import { explainRefusal, type AttemptBudget } from './attempts';
import { generateBackupCodes, parseBackupCode } from './backup-codes';
import type { CredentialRow, Executor, LoginCompletion, TwoFactorStore } from './store';
import { buildOtpauthUrl, generateTotpSecretBase32, matchTotpStep } from './totp';

export interface TwoFactorLimits {
  /** Failed second-factor attempts per client IP (IPv6 by /64). */
  ip: LimitGate;
  /** Consecutive failures per user: TWO_FACTOR_LOCKED for a while. */
  userShort: LimitGate;
  /** A daily cap per user, so short locks cannot be cycled forever (NIST 800-63B §5.2.2). */
  userDaily: LimitGate;
  /** Wrong codes one temp token may take before it is dead. */
  tempTokenMaxFailures: number;
}

export type SecondFactorInput = { code: string; backupCode?: undefined } | { code?: undefined; backupCode: string };

export interface SetupResult {
  secret: string;
  otpauthUrl: string;
  qrDataUrl: string;
  issuer: string;
  accountLabel: string;
}

export interface TwoFactorStatus {
  enabled: boolean;
  enabledAt: Date | null;
  backupCodesRemaining: number;
  lastUsedAt: Date | null;
  pendingSetup: boolean;
}

type FactorMethod = 'totp' | 'backup_code';
type AttemptPurpose = 'login' | 'confirm' | 'disable' | 'regenerate';

const TOTP_SECRET_PURPOSE = 'two_factor_credentials.secret_ciphertext';

export function totpSecretContext(userId: string): SecretContext {
  return { purpose: TOTP_SECRET_PURPOSE, subject: userId };
}

export interface TwoFactorService extends SecondFactorGate {
  status(auth: AuthContext): Promise<TwoFactorStatus>;
  setup(auth: AuthContext, origin: RequestOrigin): Promise<SetupResult>;
  confirm(auth: AuthContext, code: string, origin: RequestOrigin): Promise<{ backupCodes: string[]; issued: IssuedSession }>;
  disable(auth: AuthContext, factor: SecondFactorInput, origin: RequestOrigin): Promise<{ issued: IssuedSession }>;
  regenerateBackupCodes(auth: AuthContext, factor: SecondFactorInput, origin: RequestOrigin): Promise<{ backupCodes: string[]; issued: IssuedSession }>;
  verifyLogin(
    input: { tempToken: string } & SecondFactorInput,
    origin: RequestOrigin,
  ): Promise<{ user: Pick<UserRow, 'id' | 'email' | 'role' | 'createdAt' | 'credentialEpoch'>; issued: IssuedSession }>;
  adminReset(userId: string, origin: RequestOrigin): Promise<{ removed: boolean; sessionsRevoked: number }>;
}

export function createTwoFactorService(deps: {
  store: TwoFactorStore;
  sessions: SessionService;
  audit: AuditLog;
  telemetry: Telemetry;
  logger: Logger;
  clock: Clock;
  randomBytes: RandomBytes;
  keys: KeyRing;
  limits: TwoFactorLimits;
  issuer: string;
  tempTokenTtlSeconds: number;
  /** Second factors of other capabilities (passkeys): backup codes serve them too. */
  otherFactors?: { factorSummary(userId: string, executor?: Executor): Promise<{ passkeys: number }> };
}): TwoFactorService {
  const { store, sessions, audit, telemetry, clock, randomBytes, keys, limits } = deps;
  const now = () => new Date(clock.nowMs());
  const hasOtherFactor = async (userId: string, executor?: Executor) =>
    ((await deps.otherFactors?.factorSummary(userId, executor))?.passkeys ?? 0) > 0;

  // A wrong selector still costs one argon2id verification, so timing does not tell whether
  // a selector exists or was used.
  let dummyHash: Promise<string> | undefined;
  const getDummyHash = () => (dummyHash ??= hashSecret(randomBytes(16).toString('hex')));

  function decryptTotpSecret(credential: CredentialRow): string {
    try {
      return decryptSecret(keys, credential.secretCiphertext, totpSecretContext(credential.userId)).toString('utf8');
    } catch (error) {
      if (error instanceof SecretDecryptionError) {
        // Loud, never "no second factor": the configured keys do not match the stored secret.
        deps.logger.error({ reason: error.reason, key_id: error.keyId }, 'TOTP secret cannot be decrypted with the configured keys');
        throw new AppError('SECRET_DECRYPTION_FAILED', {
          detail: 'Check APP_ENC_KEY / APP_ENC_KEYS_OLD (npm run cli -- keys:check)',
        });
      }
      throw error;
    }
  }

  /** Refuses any 2FA operation from a password-only session of an account that has 2FA on. */
  function requireAssuranceFor(auth: AuthContext, credential: CredentialRow | undefined) {
    if (credential?.enabledAt && auth.session.aal < 2) throw new AppError('TWO_FACTOR_REQUIRED');
  }

  async function recordFailure(
    userId: string,
    method: FactorMethod,
    reason: 'invalid_code' | 'replayed' | 'replaced_code',
    purpose: AttemptPurpose,
    origin: RequestOrigin,
  ) {
    await audit.record('2fa.verify.failed', { userId, origin: origin, details: { method, reason, via: purpose } });
    telemetry.emit('2fa.verified', { user_id: userId, method, outcome: reason, request_id: origin.requestId });
  }

  /** Audits a refused second factor and throws the matching error. */
  async function failWith(
    userId: string,
    method: FactorMethod,
    reason: 'invalid_code' | 'replayed',
    purpose: AttemptPurpose,
    origin: RequestOrigin,
    code: 'INVALID_CODE' | 'CODE_ALREADY_USED',
  ): Promise<never> {
    await recordFailure(userId, method, reason, purpose, origin);
    throw new AppError(code);
  }

  /** The time step a TOTP code matches (±1 window), or null; burning it is the caller's job. */
  function matchTotpCode(credential: CredentialRow, code: string): number | null {
    return matchTotpStep(decryptTotpSecret(credential), code, clock.nowMs());
  }

  /** Checks a TOTP code and burns its time step; CODE_ALREADY_USED for a replayed step. */
  async function checkTotp(credential: CredentialRow, code: string, purpose: AttemptPurpose, origin: RequestOrigin): Promise<void> {
    const step = matchTotpCode(credential, code);
    if (step === null) return failWith(credential.userId, 'totp', 'invalid_code', purpose, origin, 'INVALID_CODE');
    if (!(await store.recordTotpStep(credential.userId, step, now()))) {
      return failWith(credential.userId, 'totp', 'replayed', purpose, origin, 'CODE_ALREADY_USED');
    }
  }

  /** Checks a backup code against at most one hash and burns it. A used code fails like a wrong one. */
  async function checkBackupCode(userId: string, input: string, purpose: AttemptPurpose, origin: RequestOrigin): Promise<void> {
    const parsed = parseBackupCode(input);
    const row = parsed ? await store.findUnusedBackupCode(userId, parsed.selector) : undefined;
    const replaced = parsed && !row ? await store.findReplacedBackupCode(userId, parsed.selector) : undefined;
    let matches = false;
    // The client's own argon2 lane: a flood of backup-code guesses waits behind itself, not behind others.
    const clientKey = ipLimiterKey(origin.ip);
    if (row && parsed) matches = await verifySecret(row.codeHash, parsed.normalized, clientKey);
    else if (replaced && parsed) {
      // Still one hash per attempt. A real code of the replaced set is told apart (and still
      // counts as a failed attempt); a guess sharing only its selector is just "not correct".
      if (await verifySecret(replaced.codeHash, parsed.normalized, clientKey)) {
        await recordFailure(userId, 'backup_code', 'replaced_code', purpose, origin);
        throw new AppError('BACKUP_CODE_REPLACED');
      }
    } else await verifySecret(await getDummyHash(), input, clientKey);
    if (!row || !matches || !(await store.burnBackupCode(row.id, now()))) {
      await recordFailure(userId, 'backup_code', 'invalid_code', purpose, origin);
      throw new AppError('INVALID_CODE');
    }
    await store.touchLastUsed(userId, now());
    const remaining = await store.countUnusedBackupCodes(userId);
    await audit.record('2fa.backup_code_used', { userId, origin: origin, details: { remaining, via: purpose } });
  }

  async function checkFactor(credential: CredentialRow, factor: SecondFactorInput, purpose: AttemptPurpose, origin: RequestOrigin) {
    if (factor.backupCode !== undefined) await checkBackupCode(credential.userId, factor.backupCode, purpose, origin);
    else await checkTotp(credential, factor.code, purpose, origin);
  }

  /**
   * A success gives back the points its own attempt took: the short lock's counter is cleared
   * (it counts consecutive failures), but the daily cap only refunds, so every failure stays
   * counted for its 24 h window however many successes come between (NIST SP 800-63B §5.2.2).
   */
  async function settleSuccess(userId: string, ipKey: string): Promise<void> {
    await Promise.all([limits.userShort.reset(userId), limits.userDaily.refund(userId), limits.ip.refund(ipKey)]);
  }

  /**
   * Every second-factor check takes a point from the per-IP and per-user throttles BEFORE the
   * code is evaluated (so bursts cannot overshoot), and gives them back only on success.
   */
  async function throttled<T>(userId: string, origin: RequestOrigin, run: () => Promise<T>): Promise<T> {
    const ipKey = ipLimiterKey(origin.ip);
    const context = { userId, origin: origin };
    await limits.ip.reserve(ipKey, context);
    const budgets = await reserveUserBudgets(userId, context);
    let result: T;
    try {
      result = await run();
    } catch (error) {
      throw await explainRefusal(error, budgets);
    }
    await settleSuccess(userId, ipKey);
    return result;
  }

  /** The per-user points, sequential on purpose: while the short lock refuses, the daily cap is not spent. */
  async function reserveUserBudgets(userId: string, context: HitContext): Promise<AttemptBudget[]> {
    const short = await limits.userShort.reserve(userId, context);
    const daily = await limits.userDaily.reserve(userId, context);
    return [
      { gate: limits.userShort, key: userId, context, remaining: short },
      { gate: limits.userDaily, key: userId, context, remaining: daily },
    ];
  }

  /**
   * The common end of every factor change, inside its transaction (ASVS 5.0 7.4.3): the next
   * credential epoch voids every other session, temp token and device cookie; this session gets a
   * new token (at `aal`); the change is audited.
   */
  async function finishFactorChange(
    tx: Executor,
    auth: AuthContext,
    change: { aal?: 1 | 2; event: '2fa.enabled' | '2fa.disabled' | '2fa.backup_codes_regenerated'; details?: Record<string, string> },
    origin: RequestOrigin,
  ): Promise<IssuedSession> {
    const { issued, sessionsRevoked } = await sessions.afterCredentialChange(tx, auth, change.aal === undefined ? {} : { aal: change.aal });
    await audit.record(
      change.event,
      { userId: auth.user.id, origin: origin, details: { ...change.details, sessions_revoked: sessionsRevoked } },
      tx,
    );
    return issued;
  }

  /**
   * One hash at a time, in the client's own argon2 lane: ten at once would hold ten places of
   * the bounded queue per request, so a few parallel confirms from one address would be shed
   * (503) and a flood of them would fill the queue for everyone. It costs one user ten hash
   * times (about 0.3 s) instead of five, once per enable or regeneration.
   */
  async function hashBackupCodes(origin: RequestOrigin) {
    const codes = generateBackupCodes(randomBytes);
    const clientKey = ipLimiterKey(origin.ip);
    const hashed: Array<{ selector: string; codeHash: string }> = [];
    for (const code of codes) hashed.push({ selector: code.selector, codeHash: await hashSecret(code.normalized, clientKey) });
    return { display: codes.map((c) => c.display), hashed };
  }

  return {
    async isRequired(userId) {
      const credential = await store.getCredential(userId);
      return Boolean(credential?.enabledAt);
    },

    async startChallenge(subject, origin) {
      const tempToken = generateToken(randomBytes);
      const createdAt = now();
      const stored = await store.insertChallengeIfEpochCurrent({
        userId: subject.id,
        tokenHash: hashToken(tempToken),
        createdAt,
        expiresAt: new Date(createdAt.getTime() + deps.tempTokenTtlSeconds * 1000),
        credentialEpoch: subject.credentialEpoch,
        ip: origin.ip,
        userAgent: origin.userAgent ?? null,
      });
      return stored ? { tempToken, expiresInSeconds: deps.tempTokenTtlSeconds } : undefined;
    },

    async status(auth) {
      const found = await store.getCredentialWithUnusedCodes(auth.user.id);
      const credential = found?.credential;
      requireAssuranceFor(auth, credential);
      const enabled = Boolean(credential?.enabledAt);
      return {
        enabled,
        enabledAt: credential?.enabledAt ?? null,
        backupCodesRemaining: enabled ? (found?.unusedBackupCodes ?? 0) : 0,
        lastUsedAt: enabled ? (credential?.lastUsedAt ?? null) : null,
        pendingSetup: Boolean(credential && !credential.enabledAt),
      };
    },

    async setup(auth, origin) {
      const existing = await store.getCredential(auth.user.id);
      requireAssuranceFor(auth, existing);
      if (existing?.enabledAt) throw new AppError('TWO_FACTOR_ALREADY_ENABLED');
      const secret = generateTotpSecretBase32(randomBytes);
      const ciphertext = encryptSecret(keys, Buffer.from(secret, 'utf8'), totpSecretContext(auth.user.id), randomBytes);
      if (!(await store.upsertPendingCredential(auth.user.id, ciphertext, now()))) {
        throw new AppError('TWO_FACTOR_ALREADY_ENABLED');
      }
      const otpauthUrl = buildOtpauthUrl(secret, deps.issuer, auth.user.email);
      const qrDataUrl = await QRCode.toDataURL(otpauthUrl, { errorCorrectionLevel: 'M', margin: 2, width: 256 });
      await audit.record('2fa.setup_started', { userId: auth.user.id, origin: origin });
      telemetry.emit('2fa.setup_started', { user_id: auth.user.id, request_id: origin.requestId });
      return { secret, otpauthUrl, qrDataUrl, issuer: deps.issuer, accountLabel: auth.user.email };
    },

    async confirm(auth, code, origin) {
      const userId = auth.user.id;
      const credential = await store.getCredential(userId);
      if (!credential) throw new AppError('TWO_FACTOR_SETUP_REQUIRED');
      if (credential.enabledAt) throw new AppError('TWO_FACTOR_ALREADY_ENABLED');
      return throttled(userId, origin, async () => {
        const step = matchTotpCode(credential, code);
        if (step === null) return failWith(userId, 'totp', 'invalid_code', 'confirm', origin, 'INVALID_CODE');
        const codes = await hashBackupCodes(origin);
        const issued = await store.transaction(async (tx) => {
          const enabled = await store.enablePendingCredential(tx, {
            userId,
            secretCiphertext: credential.secretCiphertext,
            step,
            now: now(),
          });
          if (!enabled) {
            // Lost a race: another confirm enabled it, or another setup replaced the secret.
            const current = await store.getCredential(userId, tx);
            throw new AppError(current?.enabledAt ? 'TWO_FACTOR_ALREADY_ENABLED' : 'TWO_FACTOR_SETUP_REQUIRED');
          }
          await store.replaceBackupCodes(tx, userId, codes.hashed, now());
          return finishFactorChange(tx, auth, { aal: 2, event: '2fa.enabled' }, origin);
        });
        telemetry.emit('2fa.enabled', { user_id: userId, request_id: origin.requestId });
        return { backupCodes: codes.display, issued };
      });
    },

    async disable(auth, factor, origin) {
      const userId = auth.user.id;
      const credential = await store.getCredential(userId);
      requireAssuranceFor(auth, credential);
      if (!credential?.enabledAt) throw new AppError('TWO_FACTOR_NOT_ENABLED');
      return throttled(userId, origin, async () => {
        await checkFactor(credential, factor, 'disable', origin);
        const method: FactorMethod = factor.backupCode !== undefined ? 'backup_code' : 'totp';
        const issued = await store.transaction(async (tx) => {
          // With a passkey left, two-factor stays on: the backup codes stay and so does AAL2.
          const passkeyLeft = await hasOtherFactor(userId, tx);
          if (!(await store.deleteEnabledCredential(tx, userId, { keepBackupCodes: passkeyLeft }))) throw new AppError('TWO_FACTOR_NOT_ENABLED');
          if (passkeyLeft) return finishFactorChange(tx, auth, { event: '2fa.disabled', details: { method, reason: 'totp_removed' } }, origin);
          return finishFactorChange(tx, auth, { aal: 1, event: '2fa.disabled', details: { method } }, origin);
        });
        telemetry.emit('2fa.disabled', { user_id: userId, method, request_id: origin.requestId });
        return { issued };
      });
    },

    async regenerateBackupCodes(auth, factor, origin) {
      const userId = auth.user.id;
      const credential = await store.getCredential(userId);
      requireAssuranceFor(auth, credential);
      if (!credential?.enabledAt) throw new AppError('TWO_FACTOR_NOT_ENABLED');
      return throttled(userId, origin, async () => {
        await checkFactor(credential, factor, 'regenerate', origin);
        const codes = await hashBackupCodes(origin);
        const issued = await store.transaction(async (tx) => {
          await store.replaceBackupCodes(tx, userId, codes.hashed, now());
          return finishFactorChange(tx, auth, { event: '2fa.backup_codes_regenerated' }, origin);
        });
        telemetry.emit('2fa.backup_codes_regenerated', { user_id: userId, request_id: origin.requestId });
        return { backupCodes: codes.display, issued };
      });
    },

    async verifyLogin(input, origin) {
      const ipKey = ipLimiterKey(origin.ip);
      const tokenHash = isWellFormedToken(input.tempToken) ? hashToken(input.tempToken) : undefined;
      // The per-IP point and the token's attempt are taken together, before the code is
      // evaluated; both are independent, so they share one round trip.
      const [, attempt] = await Promise.all([
        limits.ip.reserve(ipKey, { origin: origin }),
        tokenHash ? store.takeChallengeAttempt(tokenHash, limits.tempTokenMaxFailures, now()) : Promise.resolve(undefined),
      ]);
      if (!attempt) {
        // Unknown, consumed, out of attempts, voided by a credential change, or expired: only the
        // last is worth telling apart (the user may simply have been slow).
        const challenge = tokenHash ? await store.findChallenge(tokenHash) : undefined;
        const expired =
          challenge &&
          !challenge.consumedAt &&
          challenge.failedAttempts < limits.tempTokenMaxFailures &&
          challenge.expiresAt.getTime() <= clock.nowMs();
        throw new AppError(expired ? 'TEMP_TOKEN_EXPIRED' : 'TEMP_TOKEN_INVALID');
      }
      const { user, credential } = attempt;
      const context = { userId: user.id, origin };
      const budgets = await reserveUserBudgets(user.id, context);
      // 2FA reset or disabled since the password step: start over. A passkey-only account
      // still answers a backup code here.
      if (!credential?.enabledAt && (input.backupCode === undefined || !(await hasOtherFactor(user.id)))) {
        throw new AppError('TEMP_TOKEN_INVALID');
      }
      const method: FactorMethod = input.backupCode !== undefined ? 'backup_code' : 'totp';
      // The session is issued under the epoch the temp token was: completeLogin stores it only if
      // that epoch is still the user's, and a session lookup would refuse it otherwise anyway.
      const pending = sessions.prepare({ id: user.id, credentialEpoch: attempt.credentialEpoch }, 2, origin);
      let completion: LoginCompletion;
      try {
        // A backup code is burnt on its own, after its argon2 check; a TOTP step is burnt by
        // completeLogin, in the same statement that consumes the token and opens the session.
        let totpStep: number | null = null;
        if (input.backupCode !== undefined) {
          await checkBackupCode(user.id, input.backupCode, 'login', origin);
        } else {
          totpStep = matchTotpCode(credential!, input.code);
          if (totpStep === null) await failWith(user.id, 'totp', 'invalid_code', 'login', origin, 'INVALID_CODE');
        }
        completion = await store.completeLogin({
          challengeId: attempt.challengeId,
          userId: user.id,
          totpStep,
          now: now(),
          session: pending.row,
          events: audit.toRows([
            { type: '2fa.verify.succeeded', ...context, details: { method, via: 'login' } },
            { type: 'auth.login.succeeded', ...context, details: { aal: 2, method } },
          ]),
        });
        if (completion.outcome === 'replayed') await failWith(user.id, 'totp', 'replayed', 'login', origin, 'CODE_ALREADY_USED');
      } catch (error) {
        if (attempt.attempts >= limits.tempTokenMaxFailures) {
          await audit.record('2fa.temp_token_invalidated', {
            ...context,
            details: { reason: 'too_many_failures', count: attempt.attempts },
          });
        }
        throw await explainRefusal(error, budgets, [limits.tempTokenMaxFailures - attempt.attempts]);
      }
      if (completion.outcome !== 'completed') throw new AppError('TEMP_TOKEN_INVALID');
      await settleSuccess(user.id, ipKey);
      telemetry.emit('2fa.verified', { user_id: user.id, method, outcome: 'success', request_id: origin.requestId });
      return { user: { ...user, credentialEpoch: attempt.credentialEpoch }, issued: sessions.opened(pending, completion.sessionId) };
    },

    async adminReset(userId, origin) {
      return store.transaction(async (tx) => {
        const removed = (await store.deleteAllFactors(tx, userId)) > 0;
        const sessionsRevoked = await sessions.endAllForUser(tx, userId);
        await audit.record('admin.2fa_reset', { userId, origin: origin, details: { sessions_revoked: sessionsRevoked } }, tx);
        return { removed, sessionsRevoked };
      });
    },
  };
}
