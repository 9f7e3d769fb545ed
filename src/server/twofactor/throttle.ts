import type { RequestOrigin } from '../core/request-origin';
import { ipLimiterKey } from '../core/client-address';
import type { HitContext } from '../limits/limit-gate';
import { explainRefusal, type AttemptBudget } from './attempts';
import type { TwoFactorLimits } from './types';

export interface AttemptThrottle {
  /** Runs one second-factor check between taking the throttles' points and giving them back on success. */
  throttled<T>(userId: string, origin: RequestOrigin, run: () => Promise<T>): Promise<T>;
  reserveUserBudgets(userId: string, context: HitContext): Promise<AttemptBudget[]>;
  settleSuccess(userId: string, ipKey: string): Promise<void>;
}

/** The per-IP and per-user throttles every second-factor check (TOTP, backup code, passkey) goes through. */
export function createAttemptThrottle(limits: TwoFactorLimits): AttemptThrottle {
  /**
   * A success gives back the points its own attempt took: the short lock's counter is cleared
   * (it counts consecutive failures), but the daily cap only refunds, so every failure stays
   * counted for its 24 h window however many successes come between (NIST SP 800-63B §5.2.2).
   */
  async function settleSuccess(userId: string, ipKey: string): Promise<void> {
    await Promise.all([limits.userShort.reset(userId), limits.userDaily.refund(userId), limits.ip.refund(ipKey)]);
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

  return { throttled, reserveUserBudgets, settleSuccess };
}
