import type { RequestOrigin } from '../core/request-origin';
import { ipLimiterKey } from '../core/client-address';
import type { HitContext, LimitGate } from '../limits/limit-gate';
import { giveBack, type GiveBackStep } from '../limits/give-back';
import { reserveInOrder } from '../limits/reserve-in-order';
import type { StashAttemptGates } from '../limits/take-stashed';
import { explainRefusal, type AttemptBudget } from './attempts';
import type { TwoFactorLimits } from './types';

export interface AttemptThrottle {
  /** Runs one second-factor check between taking the throttles' points and giving them back on success. */
  throttled<T>(userId: string, origin: RequestOrigin, run: () => Promise<T>): Promise<T>;
  /**
   * The points of an attempt whose account is known: per IP, then the account's lock and daily
   * cap, in that order and in one round trip where the store allows. Resolves to the per-user budgets.
   */
  reserveAttemptBudgets(userId: string, origin: RequestOrigin): Promise<AttemptBudget[]>;
  /** The account's lock and daily cap alone, for an attempt whose address point was taken earlier. */
  reserveUserBudgets(userId: string, context: HitContext): Promise<AttemptBudget[]>;
  /**
   * The points of an attempt on a stashed temp token, for the stash to take with the token's
   * attempt: per IP always, the account's lock and daily cap once the stash named the account.
   */
  stashedAttemptGates(origin: RequestOrigin): StashedAttemptGates;
  /** The per-IP point alone: an attempt that names no usable account (an unknown temp token) still costs its address. */
  reserveAddressPoint(origin: RequestOrigin): Promise<void>;
  settleSuccess(userId: string, ipKey: string): Promise<void>;
  /** What settleSuccess gives back, for a success that gives it back together with its stash (limits/give-back.ts). */
  successGiveBack(userId: string, ipKey: string): GiveBackStep[];
  /** One point back to each of the account's budgets: for an attempt that turned out to be about a dead token, not a code. */
  giveBackUserBudgets(userId: string): Promise<void>;
}

/** Whom a refusal is reported against: the account once it is known, else the request alone. */
const refusalContext =
  (origin: RequestOrigin) =>
  (userId: string | undefined): HitContext =>
    userId === undefined ? { origin } : { userId, origin };

export interface StashedAttemptGates extends StashAttemptGates {
  /** The account's budgets, from the points left that the stash's take reported. */
  budgets(userId: string, remaining: readonly number[]): AttemptBudget[];
}

/** The per-IP and per-user throttles every second-factor check (TOTP, backup code, passkey) goes through. */
export function createAttemptThrottle(limits: TwoFactorLimits): AttemptThrottle {
  /**
   * A success gives back the points its own attempt took: the short lock's counter is cleared
   * (it counts consecutive failures), but the daily cap only refunds, so every failure stays
   * counted for its 24 h window however many successes come between (NIST SP 800-63B §5.2.2).
   */
  const successGiveBack = (userId: string, ipKey: string): GiveBackStep[] => [
    { gate: limits.userShort, key: userId, kind: 'reset' },
    { gate: limits.userDaily, key: userId, kind: 'refund' },
    { gate: limits.ip, key: ipKey, kind: 'refund' },
  ];

  async function settleSuccess(userId: string, ipKey: string): Promise<void> {
    await giveBack(successGiveBack(userId, ipKey));
  }

  async function giveBackUserBudgets(userId: string): Promise<void> {
    await giveBack([
      { gate: limits.userShort, key: userId, kind: 'refund' },
      { gate: limits.userDaily, key: userId, kind: 'refund' },
    ]);
  }

  /** The client address's point, which every attempt pays first. */
  const addressStep = (origin: RequestOrigin) => ({ gate: limits.ip, key: ipLimiterKey(origin.ip) });
  /** The per-user gates, in order on purpose: while the short lock refuses, the daily cap is not spent. */
  const userGates = [limits.userShort, limits.userDaily];
  const userSteps = (userId: string, context: HitContext) => userGates.map((gate) => ({ gate, key: userId, context }));

  /** Takes the points of `steps` in order; the per-user ones become the attempt's budgets. */
  async function reserveBudgets(steps: Array<{ gate: LimitGate; key: string; context: HitContext }>): Promise<AttemptBudget[]> {
    const remaining = await reserveInOrder(steps);
    return steps.map((step, i) => ({ ...step, remaining: remaining[i]! })).filter(({ gate }) => gate !== limits.ip);
  }

  const reserveUserBudgets = (userId: string, context: HitContext) => reserveBudgets(userSteps(userId, context));

  /** The per-IP point first: a refused address spends none of the account's budget. */
  const reserveAttemptBudgets = (userId: string, origin: RequestOrigin) => {
    const context = { userId, origin };
    return reserveBudgets([{ ...addressStep(origin), context }, ...userSteps(userId, context)]);
  };

  function stashedAttemptGates(origin: RequestOrigin): StashedAttemptGates {
    const context = refusalContext(origin);
    const always = [addressStep(origin)];
    return {
      always,
      owner: userGates,
      context,
      // The points left come in the order taken: `always` first, then `owner`.
      budgets: (userId, remaining) => userSteps(userId, context(userId)).map((step, i) => ({ ...step, remaining: remaining[always.length + i]! })),
    };
  }

  async function reserveAddressPoint(origin: RequestOrigin): Promise<void> {
    const { gate, key } = addressStep(origin);
    await gate.reserve(key, { origin });
  }

  /**
   * Every second-factor check takes a point from the per-IP and per-user throttles BEFORE the
   * code is evaluated (so bursts cannot overshoot), and gives them back only on success.
   */
  async function throttled<T>(userId: string, origin: RequestOrigin, run: () => Promise<T>): Promise<T> {
    const budgets = await reserveAttemptBudgets(userId, origin);
    let result: T;
    try {
      result = await run();
    } catch (error) {
      throw await explainRefusal(error, budgets);
    }
    await settleSuccess(userId, ipLimiterKey(origin.ip));
    return result;
  }

  return { throttled, reserveAttemptBudgets, reserveUserBudgets, stashedAttemptGates, reserveAddressPoint, settleSuccess, successGiveBack, giveBackUserBudgets };
}
