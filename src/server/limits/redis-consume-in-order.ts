import type { Redis } from 'ioredis';
import type { ConsumeOutcome, ConsumeStep } from './limiter-store';
import { CONSUME_STEP_LUA, consumeStepArgs, outcomesFrom } from './redis-consume-step';
import { rejectIfRedisNotReady } from './redis-ready';

/**
 * One attempt often passes several throttles in a fixed order (per IP, then per account, ...),
 * and a refusal must leave the later ones unspent. Done one `consume` at a time that is one
 * Redis round trip per throttle, and each round trip costs the server a socket write, a wake-up
 * and a read (the largest share of a second-factor check's CPU: docs/performance.md). This
 * script does the same steps in one round trip, atomically: each step is exactly the library's
 * `consume(key, 1)` (redis-consume-step.ts), and the script stops after the step that refused.
 *
 * ARGV holds three numbers per key: window seconds, points, block seconds (0 = none). The reply
 * is flat: consumed and milliseconds left, for each step taken (the last may be the refusal).
 * All keys go to one Redis node; the limiter store never uses Redis Cluster.
 */
const CONSUME_IN_ORDER_LUA = `${CONSUME_STEP_LUA}
local reply = {}
for i = 1, #KEYS do
  if consume_step(KEYS[i], ARGV[3 * i - 2], ARGV[3 * i - 1], ARGV[3 * i], reply) then
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
    const args = steps.flatMap(({ spec }) => consumeStepArgs(spec));
    return outcomesFrom(await scripted[COMMAND](keys.length, ...keys, ...args));
  };
}
