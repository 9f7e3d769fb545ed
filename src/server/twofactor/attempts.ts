import { AppError, isAppError } from '../core/app-error';
import type { HitContext, LimitGate } from '../limits/limit-gate';

/** Refusals that cost the person one of their tries (every other error is passed on unchanged). */
const COUNTED_REFUSALS = new Set<string>(['INVALID_CODE', 'CODE_ALREADY_USED', 'BACKUP_CODE_REPLACED']);

/** One throttle a second-factor attempt took a point from, and the points it had left after it. */
export interface AttemptBudget {
  gate: LimitGate;
  key: string;
  context: HitContext;
  remaining: number;
}

/**
 * Adds to a refused code how many tries are left (`attempts_remaining`) and, when this refusal
 * used the last try of a per-user lock, engages that lock now and says for how long
 * (`locked_for_seconds`). Without this the person learned of the lock only at the next attempt,
 * after being sent back to the password step (issue: lockout announced late). Engaging is one
 * more reserve on the exhausted gate: that is the refusal which starts the block and audits it.
 * `otherLimits` are further caps without a lock (a temp token's own attempts).
 */
export async function explainRefusal(error: unknown, budgets: readonly AttemptBudget[], otherLimits: readonly number[] = []): Promise<unknown> {
  if (!isAppError(error) || !COUNTED_REFUSALS.has(error.code)) return error;
  const attemptsRemaining = Math.max(0, Math.min(...budgets.map((b) => b.remaining), ...otherLimits));
  let lockedForSeconds = 0;
  for (const budget of budgets) {
    if (budget.remaining > 0) continue;
    try {
      await budget.gate.reserve(budget.key, budget.context);
    } catch (refusal) {
      if (!isAppError(refusal) || refusal.retryAfterSeconds === undefined) throw refusal;
      lockedForSeconds = Math.max(lockedForSeconds, refusal.retryAfterSeconds);
    }
  }
  return new AppError(error.code, {
    detail: error.detail,
    extensions: {
      ...error.extensions,
      attempts_remaining: attemptsRemaining,
      ...(lockedForSeconds > 0 ? { locked_for_seconds: lockedForSeconds } : {}),
    },
    cause: error.cause,
  });
}
