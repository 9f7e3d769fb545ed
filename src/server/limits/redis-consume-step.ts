import type { ConsumeOutcome, LimitSpec } from './limiter-store';

/**
 * rate-limiter-flexible's `consume(key, 1)` on RateLimiterRedis, as a Lua function for scripts
 * of our own that take several throttle points in one round trip (redis-consume-in-order.ts,
 * redis-attempt-stash.ts). Counters written by it and by the library (refund, reset, a single
 * reserve) are the same keys and values: `SET key 0 EX window NX`, `INCRBY key 1`, the key's
 * PTTL (a key that lost its TTL gets the window again); over the limit, the step that crossed
 * it (consumed = points + 1) starts the block (`SET key consumed EX block`, block 0 = none).
 *
 * `consume_step(key, window, points, block, reply)` appends consumed and milliseconds left to
 * `reply` and returns true when this point went over the limit (the caller then stops).
 */
export const CONSUME_STEP_LUA = `
local function consume_step(key, window, points, block, reply)
  window = tonumber(window)
  points = tonumber(points)
  block = tonumber(block)
  redis.call('set', key, 0, 'EX', window, 'NX')
  local consumed = redis.call('incrby', key, 1)
  local ttl = redis.call('pttl', key)
  if ttl == -1 then
    redis.call('expire', key, window)
    ttl = 1000 * window
  end
  if consumed > points and block > 0 and consumed == points + 1 then
    redis.call('set', key, consumed, 'EX', block)
    ttl = 1000 * block
  end
  reply[#reply + 1] = consumed
  reply[#reply + 1] = ttl
  return consumed > points
end
`;

/** The three script arguments of one step: window seconds, points, block seconds (0 = none). */
export function consumeStepArgs(spec: LimitSpec): string[] {
  return [spec.durationSeconds, spec.points, spec.blockDurationSeconds ?? 0].map(String);
}

/** The flat `consumed, ms left` pairs a script replied with, as outcomes. */
export function outcomesFrom(reply: readonly (number | string)[], from = 0): ConsumeOutcome[] {
  const outcomes: ConsumeOutcome[] = [];
  for (let i = from; i + 1 < reply.length; i += 2) {
    outcomes.push({ consumedPoints: Number(reply[i]), msBeforeNext: Number(reply[i + 1]) });
  }
  return outcomes;
}
