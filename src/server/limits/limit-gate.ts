import { hash } from 'node:crypto';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { AppError } from '../core/app-error';
import type { ConsumeOutcome, LimitSpec, LimiterStore } from './limiter-store';

export type LimitErrorCode = 'RATE_LIMITED' | 'TWO_FACTOR_LOCKED';

/**
 * At most this many throttle refusals are held at a time (THROTTLE_REFUSAL_DELAY_MS,
 * lib/refusal-hold.ts); the HTTP layer holds them once every store round trip is done.
 */
export const THROTTLE_MAX_HELD_REFUSALS = 2048;

/** Who is being refused, so the hit can be audited against the right account and request. */
export interface HitContext {
  userId?: string;
  origin?: { ip?: string; userAgent?: string | undefined; requestId?: string };
}

export interface LimitHit {
  limiter: string;
  key: string;
  context: HitContext;
  retryAfterSeconds: number;
  /** True for the request that crossed the limit; later refusals in the same window are false. */
  firstRefusal: boolean;
}

/**
 * One throttle. `reserve` takes a point BEFORE the guarded credential is evaluated, so a
 * burst of parallel guesses can have at most `points` evaluations; `refund` gives the point
 * back when the attempt turned out not to be a failure; `reset` clears the counter.
 */
export interface LimitGate {
  readonly spec: LimitSpec;
  /** Where the counters live; gates of one store can reserve together (reserve-in-order.ts). */
  readonly store: LimiterStore;
  /** Resolves to the points left after this one (0: the next reserve is refused). */
  reserve(key: string, context?: HitContext): Promise<number>;
  /**
   * What `reserve` does with the counter's state once a point was taken elsewhere (in one
   * round trip with other gates): the points left, or the refusal, reported and thrown.
   */
  judge(key: string, context: HitContext, outcome: ConsumeOutcome): Promise<number>;
  refund(key: string): Promise<void>;
  reset(key: string): Promise<void>;
}

/**
 * Limiter keys never hold an email or token in clear; they are hashed (and bounded in length),
 * one-shot like hashToken, as every throttled request derives several.
 */
export function limiterKey(...parts: string[]): string {
  return hash('sha256', parts.join('\u0000'), 'base64url').slice(0, 32);
}

export function storeUnavailable(cause: unknown): AppError {
  return new AppError('SERVICE_UNAVAILABLE', { detail: 'The throttling store is unreachable; try again shortly', cause });
}

/** `work` on the limiter store, whose failure is a 503 that says so, never a 500 or a skipped count. */
export async function orStoreUnavailable<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    throw storeUnavailable(error);
  }
}

export function createLimitGate(
  store: LimiterStore,
  spec: LimitSpec,
  errorCode: LimitErrorCode,
  onHit: (hit: LimitHit) => Promise<void> | void,
): LimitGate {
  const limiter: RateLimiterAbstract = store.create(spec);

  async function judge(key: string, context: HitContext, outcome: ConsumeOutcome): Promise<number> {
    if (outcome.consumedPoints <= spec.points) return spec.points - outcome.consumedPoints;
    const retryAfterSeconds = Math.max(1, Math.ceil(outcome.msBeforeNext / 1000));
    await onHit({
      limiter: spec.name,
      key,
      context,
      retryAfterSeconds,
      firstRefusal: outcome.consumedPoints === spec.points + 1,
    });
    throw new AppError(errorCode, { retryAfterSeconds });
  }

  return {
    spec,
    store,
    judge,
    async reserve(key, context = {}) {
      let outcome: ConsumeOutcome;
      try {
        outcome = await limiter.consume(key, 1);
      } catch (rejection) {
        // The library rejects with the counter's state when the limit is passed, and with an
        // Error when the store failed.
        if (!(rejection instanceof RateLimiterRes)) throw storeUnavailable(rejection);
        outcome = rejection;
      }
      return judge(key, context, outcome);
    },
    async refund(key) {
      await orStoreUnavailable(limiter.reward(key, 1));
    },
    async reset(key) {
      await orStoreUnavailable(limiter.delete(key));
    },
  };
}
