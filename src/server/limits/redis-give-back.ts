import type { Redis } from 'ioredis';
import type { GiveBackCounterStep } from './limiter-store';
import { rejectIfRedisNotReady } from './redis-ready';

/**
 * A successful attempt gives back what it took from several throttles at once: one point to
 * some (refund), the whole counter to others (reset). Done with the library that is one command
 * per throttle — two `rlflxIncr` scripts and a `DEL` — each with its own command object, reply
 * and promise on the server's main thread. This script does all of them in one command.
 *
 * Each step is exactly what rate-limiter-flexible's RateLimiterRedis does, so the counters stay
 * the library's: a refund is its `reward(key, 1)` (`SET key 0 EX duration NX`, `INCRBY key -1`,
 * and a key that lost its TTL gets the window again), a reset is its `delete(key)` (`DEL key`).
 *
 * ARGV holds one number per key: the window in seconds for a refund, 0 for a reset. The reply
 * is the number of steps done. A reset is a plain DEL, so keys that are not counters (a stash
 * the success used up) are deleted in the same command as resets. All keys go to one Redis node
 * (the limiter store never uses Redis Cluster).
 */
const GIVE_BACK_LUA = `
for i = 1, #KEYS do
  local window = tonumber(ARGV[i])
  if window == 0 then
    redis.call('del', KEYS[i])
  else
    redis.call('set', KEYS[i], 0, 'EX', window, 'NX')
    redis.call('incrby', KEYS[i], -1)
    if redis.call('pttl', KEYS[i]) == -1 then
      redis.call('expire', KEYS[i], window)
    end
  end
end
return #KEYS
`;

const COMMAND = 'proofgateGiveBack';

type ScriptClient = Redis & { [COMMAND](keyCount: number, ...keysAndArgs: string[]): Promise<number> };

/** `keyOf(step)` must give the key RateLimiterRedis uses for that step's limiter and key. */
export function createRedisGiveBack(client: Redis, keyOf: (step: GiveBackCounterStep) => string) {
  // EVALSHA, falling back to EVAL once when Redis does not know the script (ioredis).
  client.defineCommand(COMMAND, { lua: GIVE_BACK_LUA });
  const scripted = client as ScriptClient;

  /** Gives back `steps` and deletes the full keys `alsoDelete`, all in one command. */
  return async function giveBack(steps: readonly GiveBackCounterStep[], alsoDelete: readonly string[] = []): Promise<void> {
    rejectIfRedisNotReady(client);
    const keys = [...steps.map(keyOf), ...alsoDelete];
    const args = [...steps.map(({ spec, kind }) => String(kind === 'reset' ? 0 : spec.durationSeconds)), ...alsoDelete.map(() => '0')];
    await scripted[COMMAND](keys.length, ...keys, ...args);
  };
}
