import type { Redis } from 'ioredis';
import type { ConsumeOutcome, ConsumeStep } from './limiter-store';
import { rejectIfRedisNotReady } from './redis-ready';

/**
 * One attempt often passes several throttles in a fixed order (per IP, then per account, ...),
 * and a refusal must leave the later ones unspent. Done one `consume` at a time that is one
 * Redis round trip per throttle, and each round trip costs the server a socket write, a wake-up
 * and a read (the largest share of a second-factor check's CPU: docs/performance.md). This
 * script does the same steps in one round trip, atomically.
 *
 * Each step is exactly rate-limiter-flexible's `consume(key, 1)` on RateLimiterRedis, so counters
 * written here and by the library (refund, reset, a single reserve) are the same keys and
 * values: `SET key 0 EX duration NX`, `INCRBY key 1`, the key's PTTL (a key that lost its TTL
 * gets the window again); over the limit, the step that crossed it (consumed = points + 1)
 * starts the block (`SET key consumed EX block`), and the script stops there.
 *
 * ARGV holds three numbers per key: window seconds, points, block seconds (0 = none). The reply
 * is flat: consumed and milliseconds left, for each step taken (the last may be the refusal).
 * All keys go to one Redis node; the limiter store never uses Redis Cluster.
 */
const CONSUME_IN_ORDER_LUA = `
local reply = {}
for i = 1, #KEYS do
  local window = tonumber(ARGV[3 * i - 2])
  local points = tonumber(ARGV[3 * i - 1])
  local block = tonumber(ARGV[3 * i])
  redis.call('set', KEYS[i], 0, 'EX', window, 'NX')
  local consumed = redis.call('incrby', KEYS[i], 1)
  local ttl = redis.call('pttl', KEYS[i])
  if ttl == -1 then
    redis.call('expire', KEYS[i], window)
    ttl = 1000 * window
  end
  if consumed > points and block > 0 and consumed == points + 1 then
    redis.call('set', KEYS[i], consumed, 'EX', block)
    ttl = 1000 * block
  end
  reply[#reply + 1] = consumed
  reply[#reply + 1] = ttl
  if consumed > points then
    return reply
  end
end
return reply
`;

const COMMAND = 'proofgateConsumeInOrder';

type ScriptClient = Redis & { [COMMAND](keyCount: number, ...keysAndArgs: string[]): Promise<number[]> };

/** `keyOf(step)` must give the key RateLimiterRedis uses for that step's limiter and key. */
export function createRedisConsumeInOrder(client: Redis, keyOf: (step: ConsumeStep) => string) {
  // EVALSHA, falling back to EVAL once when Redis does not know the script (ioredis).
  client.defineCommand(COMMAND, { lua: CONSUME_IN_ORDER_LUA });
  const scripted = client as ScriptClient;

  return async function consumeInOrder(steps: readonly ConsumeStep[]): Promise<ConsumeOutcome[]> {
    rejectIfRedisNotReady(client);
    const keys = steps.map(keyOf);
    const args = steps.flatMap(({ spec }) => [spec.durationSeconds, spec.points, spec.blockDurationSeconds ?? 0].map(String));
    const reply = await scripted[COMMAND](keys.length, ...keys, ...args);
    const outcomes: ConsumeOutcome[] = [];
    for (let i = 0; i + 1 < reply.length; i += 2) {
      outcomes.push({ consumedPoints: Number(reply[i]), msBeforeNext: Number(reply[i + 1]) });
    }
    return outcomes;
  };
}
