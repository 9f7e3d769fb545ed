import { AppError } from '../core/app-error';
import { ipLimiterKey } from '../core/client-address';
import type { RequestOrigin } from '../core/request-origin';
import { generateToken, hashToken, isWellFormedToken } from '../lib/tokens';
import { explainRefusal, type AttemptBudget } from './attempts';
import { createChallengeStash, type ChallengeStash } from './challenge-stash';
import type { CodeChecker } from './code-check';
import type { ChallengeAttempt, CredentialRow, Executor, LoginCompletion } from './store';
import type { AttemptThrottle } from './throttle';
import { tempTokenRefusal } from './temp-token-refusal';
import type { FactorMethod, SecondFactorInput, TwoFactorDeps, TwoFactorLoginStep } from './types';

export interface LoginStepParts {
  codes: CodeChecker;
  throttle: AttemptThrottle;
  hasOtherFactor(userId: string, executor?: Executor): Promise<boolean>;
}

type LoginStep = { deps: TwoFactorDeps; parts: LoginStepParts; now: () => Date; stash: ChallengeStash | undefined };

/** One attempt taken on a temp token, and what its code is checked against. */
interface TakenAttempt {
  tokenHash: string;
  challengeId: string;
  userId: string;
  /** The credential epoch the temp token was issued under. */
  credentialEpoch: number;
  /** Attempts taken on this token, this one included. */
  attempts: number;
  credential: CredentialRow | undefined;
  /**
   * Whether the database counted this attempt already. Not when the shared stash took it: a
   * wrong code is then counted by its own statement, and a right one needs none.
   */
  countedInDatabase: boolean;
}

/** The second login step: the temp token the password step hands out, then the code that turns it into a session. */
export function createTwoFactorLoginStep(deps: TwoFactorDeps, parts: LoginStepParts): TwoFactorLoginStep {
  const stash = deps.attemptStash ? createChallengeStash(deps.attemptStash) : undefined;
  const self: LoginStep = { deps, parts, now: () => new Date(deps.clock.nowMs()), stash };
  return {
    async startChallenge(subject, origin) {
      const tempToken = generateToken(deps.randomBytes);
      const tokenHash = hashToken(tempToken);
      const createdAt = self.now();
      const expiresAt = new Date(createdAt.getTime() + deps.tempTokenTtlSeconds * 1000);
      const [challengeId, credential] = await Promise.all([
        deps.store.insertChallengeIfEpochCurrent({
          userId: subject.id,
          tokenHash,
          createdAt,
          expiresAt,
          credentialEpoch: subject.credentialEpoch,
          ip: origin.ip,
          userAgent: origin.userAgent ?? null,
        }),
        stash ? deps.store.getCredential(subject.id) : undefined,
      ]);
      if (!challengeId) return undefined;
      // Stored under the epoch the challenge was (insertChallengeIfEpochCurrent checked it): a
      // credential read after a change of factors belongs to a later epoch and can open nothing.
      await stash?.put(
        tokenHash,
        { challengeId, userId: subject.id, credentialEpoch: subject.credentialEpoch, expiresAtMs: expiresAt.getTime(), credential },
        deps.tempTokenTtlSeconds,
      );
      return { tempToken, expiresInSeconds: deps.tempTokenTtlSeconds };
    },

    verifyLogin: (input, origin) => verifyLogin(self, input, origin),
  };
}

const fromDatabase = (tokenHash: string, attempt: ChallengeAttempt | undefined): TakenAttempt | undefined =>
  attempt && { tokenHash, ...attempt, userId: attempt.user.id, countedInDatabase: true };

/** The refusal of a token that cannot be used, from what the database says of it. */
const tokenRefusal = ({ deps }: LoginStep, tokenHash: string | undefined) =>
  tempTokenRefusal(deps.store, tokenHash, deps.limits.tempTokenMaxFailures, deps.clock.nowMs());

/**
 * Takes one of the temp token's attempts, then (once the token names the account) the per-IP
 * point and the account's budgets, all before the code is evaluated, so that parallel requests
 * cannot overshoot a limit. Throws when the token cannot be used; such a request still costs its
 * address a point. Without a stash the database counts every attempt.
 */
async function takeAttempt(self: LoginStep, tempToken: string, method: FactorMethod, origin: RequestOrigin): Promise<{ taken: TakenAttempt; budgets: AttemptBudget[] }> {
  const { deps, parts } = self;
  const tokenHash = isWellFormedToken(tempToken) ? hashToken(tempToken) : undefined;
  if (tokenHash && self.stash) return takeOnStash(self, self.stash, tokenHash, method, origin);
  const taken = tokenHash ? fromDatabase(tokenHash, await deps.store.takeChallengeAttempt(tokenHash, deps.limits.tempTokenMaxFailures, self.now())) : undefined;
  if (taken) return { taken, budgets: await parts.throttle.reserveAttemptBudgets(taken.userId, origin) };
  await parts.throttle.reserveAddressPoint(origin);
  throw await tokenRefusal(self, tokenHash);
}

/**
 * With a shared stash (Redis) one script takes the token's attempt, the address's point and the
 * account's budgets, and hands over the credential: a TOTP code needs no database read before
 * its completing statement. A backup code is checked against the database's rows anyway and is
 * counted there as well; should the database refuse the token, the account's points go back.
 */
async function takeOnStash(self: LoginStep, stash: ChallengeStash, tokenHash: string, method: FactorMethod, origin: RequestOrigin) {
  const { deps, parts } = self;
  const gates = parts.throttle.stashedAttemptGates(origin);
  const { attempt, remaining } = await stash.take(tokenHash, deps.limits.tempTokenMaxFailures, deps.clock.nowMs(), gates);
  if (attempt.state === 'unreadable') await parts.throttle.giveBackUserBudgets(attempt.owner);
  if (attempt.state !== 'taken') throw await tokenRefusal(self, tokenHash);
  const { challenge } = attempt;
  const budgets = gates.budgets(challenge.userId, remaining);
  if (method !== 'backup_code') {
    return { taken: { tokenHash, ...challenge, attempts: attempt.attempts, countedInDatabase: false }, budgets };
  }
  const counted = fromDatabase(tokenHash, await deps.store.takeChallengeAttempt(tokenHash, deps.limits.tempTokenMaxFailures, self.now()));
  if (counted) return { taken: counted, budgets };
  await parts.throttle.giveBackUserBudgets(challenge.userId);
  throw await tokenRefusal(self, tokenHash);
}

/** Thrown inside the attempt when the token died after the stash handed it out: passed on as it is. */
class DeadTokenRefusal extends Error {
  constructor(readonly refusal: AppError) {
    super(refusal.code);
  }
}

/**
 * A wrong or replayed TOTP code. When the stash took the attempt, the database counts it now,
 * under the conditions it would have taken it on; a token that died meanwhile (consumed by a
 * parallel request, expired, voided by a credential change) is refused as a token, as the
 * database path refuses it, and gives the account back the points it took.
 */
async function refuseTotpCode(
  self: LoginStep,
  taken: TakenAttempt,
  origin: RequestOrigin,
  reason: 'invalid_code' | 'replayed',
  code: 'INVALID_CODE' | 'CODE_ALREADY_USED',
): Promise<never> {
  const { deps, parts } = self;
  if (!taken.countedInDatabase && !(await deps.store.recordChallengeFailure(taken.challengeId, deps.limits.tempTokenMaxFailures, self.now()))) {
    await parts.throttle.giveBackUserBudgets(taken.userId);
    throw new DeadTokenRefusal(await tokenRefusal(self, taken.tokenHash));
  }
  return parts.codes.failWith(taken.userId, 'totp', reason, 'login', origin, code);
}

async function verifyLogin(self: LoginStep, input: { tempToken: string } & SecondFactorInput, origin: RequestOrigin) {
  const { deps, parts } = self;
  const { sessions, audit, limits } = deps;
  const method: FactorMethod = input.backupCode !== undefined ? 'backup_code' : 'totp';
  const { taken, budgets } = await takeAttempt(self, input.tempToken, method, origin);
  const { userId, credential } = taken;
  const context = { userId, origin };
  // 2FA reset or disabled since the password step: start over. A passkey-only account
  // still answers a backup code here.
  if (!credential?.enabledAt && (input.backupCode === undefined || !(await parts.hasOtherFactor(userId)))) {
    throw new AppError('TEMP_TOKEN_INVALID');
  }
  // The session is issued under the epoch the temp token was: completeLogin stores it only if
  // that epoch is still the user's, and a session lookup would refuse it otherwise anyway.
  const pending = sessions.prepare({ id: userId, credentialEpoch: taken.credentialEpoch }, 2, origin);
  let completion: LoginCompletion;
  try {
    // A backup code is burnt on its own, after its argon2 check; a TOTP step is burnt by
    // completeLogin, in the same statement that consumes the token and opens the session.
    let totpStep: number | null = null;
    if (input.backupCode !== undefined) {
      await parts.codes.checkBackupCode(userId, input.backupCode, 'login', origin);
    } else {
      totpStep = parts.codes.matchTotpCode(credential!, input.code);
      if (totpStep === null) await refuseTotpCode(self, taken, origin, 'invalid_code', 'INVALID_CODE');
    }
    completion = await deps.store.completeLogin({
      challengeId: taken.challengeId,
      userId,
      totpStep,
      now: self.now(),
      session: pending.row,
      events: audit.toRows([
        { type: '2fa.verify.succeeded', ...context, details: { method, via: 'login' } },
        { type: 'auth.login.succeeded', ...context, details: { aal: 2, method } },
      ]),
    });
    if (completion.outcome === 'replayed') await refuseTotpCode(self, taken, origin, 'replayed', 'CODE_ALREADY_USED');
  } catch (error) {
    if (error instanceof DeadTokenRefusal) throw error.refusal;
    if (taken.attempts >= limits.tempTokenMaxFailures) {
      await audit.record('2fa.temp_token_invalidated', {
        ...context,
        details: { reason: 'too_many_failures', count: taken.attempts },
      });
    }
    throw await explainRefusal(error, budgets, [limits.tempTokenMaxFailures - taken.attempts]);
  }
  if (completion.outcome !== 'completed') {
    // The token died after its attempt was taken (a parallel request consumed it, a credential
    // change voided it): a refusal of the token, not of the code, so the account's points go back.
    await parts.throttle.giveBackUserBudgets(userId);
    throw await tokenRefusal(self, taken.tokenHash);
  }
  await settleSuccess(self, userId, origin, taken.tokenHash);
  deps.telemetry.emit('2fa.verified', { user_id: userId, method, outcome: 'success', request_id: origin.requestId });
  return { user: { ...completion.user, credentialEpoch: taken.credentialEpoch }, issued: sessions.opened(pending, completion.sessionId) };
}

/**
 * The success gives back the points its attempt took, and the consumed token's stash goes with
 * them: in one Redis command where the throttles count beside the stash. Should the removal alone
 * fail, the stash only lets later attempts reach the database, which refuses the consumed token;
 * it expires with the token anyway.
 */
async function settleSuccess({ stash, deps, parts }: LoginStep, userId: string, origin: RequestOrigin, tokenHash: string): Promise<void> {
  const ipKey = ipLimiterKey(origin.ip);
  if (!stash) return parts.throttle.settleSuccess(userId, ipKey);
  await stash.removeWithGiveBack(tokenHash, parts.throttle.successGiveBack(userId, ipKey), (error) =>
    deps.logger.warn({ cause: error instanceof Error ? error.message : String(error) }, 'temp token stash not removed; it expires with the token'),
  );
}
