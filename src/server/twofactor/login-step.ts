import { AppError } from '../core/app-error';
import { ipLimiterKey } from '../core/client-address';
import type { RequestOrigin } from '../core/request-origin';
import { generateToken, hashToken, isWellFormedToken } from '../lib/tokens';
import { explainRefusal } from './attempts';
import type { CodeChecker } from './code-check';
import type { Executor, LoginCompletion } from './store';
import type { AttemptThrottle } from './throttle';
import type { FactorMethod, SecondFactorInput, TwoFactorDeps, TwoFactorLoginStep } from './types';

export interface LoginStepParts {
  codes: CodeChecker;
  throttle: AttemptThrottle;
  hasOtherFactor(userId: string, executor?: Executor): Promise<boolean>;
}

type LoginStep = { deps: TwoFactorDeps; parts: LoginStepParts; now: () => Date };

/** The second login step: the temp token the password step hands out, then the code that turns it into a session. */
export function createTwoFactorLoginStep(deps: TwoFactorDeps, parts: LoginStepParts): TwoFactorLoginStep {
  const self: LoginStep = { deps, parts, now: () => new Date(deps.clock.nowMs()) };
  return {
    async startChallenge(subject, origin) {
      const tempToken = generateToken(deps.randomBytes);
      const createdAt = self.now();
      const stored = await deps.store.insertChallengeIfEpochCurrent({
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

    verifyLogin: (input, origin) => verifyLogin(self, input, origin),
  };
}

/**
 * Takes one of the temp token's attempts, then (once the token names the account) the per-IP
 * point and the account's budgets in one reservation, all before the code is evaluated. Throws
 * when the token cannot be used; such a request still costs its address a point.
 */
async function takeAttempt({ deps, parts, now }: LoginStep, tempToken: string, origin: RequestOrigin) {
  const { store, limits } = deps;
  const tokenHash = isWellFormedToken(tempToken) ? hashToken(tempToken) : undefined;
  const attempt = tokenHash ? await store.takeChallengeAttempt(tokenHash, limits.tempTokenMaxFailures, now()) : undefined;
  if (attempt) return { attempt, budgets: await parts.throttle.reserveAttemptBudgets(attempt.user.id, origin) };
  await parts.throttle.reserveAddressPoint(origin);
  // Unknown, consumed, out of attempts, voided by a credential change, or expired: only the
  // last is worth telling apart (the user may simply have been slow).
  const challenge = tokenHash ? await store.findChallenge(tokenHash) : undefined;
  const expired =
    challenge &&
    !challenge.consumedAt &&
    challenge.failedAttempts < limits.tempTokenMaxFailures &&
    challenge.expiresAt.getTime() <= deps.clock.nowMs();
  throw new AppError(expired ? 'TEMP_TOKEN_EXPIRED' : 'TEMP_TOKEN_INVALID');
}

async function verifyLogin(self: LoginStep, input: { tempToken: string } & SecondFactorInput, origin: RequestOrigin) {
  const { deps, parts } = self;
  const { sessions, audit, limits } = deps;
  const { attempt, budgets } = await takeAttempt(self, input.tempToken, origin);
  const { user, credential } = attempt;
  const context = { userId: user.id, origin };
  // 2FA reset or disabled since the password step: start over. A passkey-only account
  // still answers a backup code here.
  if (!credential?.enabledAt && (input.backupCode === undefined || !(await parts.hasOtherFactor(user.id)))) {
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
      await parts.codes.checkBackupCode(user.id, input.backupCode, 'login', origin);
    } else {
      totpStep = parts.codes.matchTotpCode(credential!, input.code);
      if (totpStep === null) await parts.codes.failWith(user.id, 'totp', 'invalid_code', 'login', origin, 'INVALID_CODE');
    }
    completion = await deps.store.completeLogin({
      challengeId: attempt.challengeId,
      userId: user.id,
      totpStep,
      now: self.now(),
      session: pending.row,
      events: audit.toRows([
        { type: '2fa.verify.succeeded', ...context, details: { method, via: 'login' } },
        { type: 'auth.login.succeeded', ...context, details: { aal: 2, method } },
      ]),
    });
    if (completion.outcome === 'replayed') await parts.codes.failWith(user.id, 'totp', 'replayed', 'login', origin, 'CODE_ALREADY_USED');
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
  await parts.throttle.settleSuccess(user.id, ipLimiterKey(origin.ip));
  deps.telemetry.emit('2fa.verified', { user_id: user.id, method, outcome: 'success', request_id: origin.requestId });
  return { user: { ...user, credentialEpoch: attempt.credentialEpoch }, issued: sessions.opened(pending, completion.sessionId) };
}
