import type { Redis } from 'ioredis';
import type { AttemptStash, StashTake } from './limiter-store';
import { rejectIfRedisNotReady } from './redis-ready';

/**
 * Takes one attempt on a stashed value and hands the value over, atomically: the attempt is
 * counted before the caller can use the value, so parallel requests cannot evaluate more than
 * `max` attempts between them, on any number of instances.
 *
 * The value and its counter are two fields of ONE hash key, so an eviction or a restart loses
 * both together: a stash is never found without its count. Reply: nil when the key is gone,
 * `{n}` when this attempt went over the limit, `{n, value}` otherwise.
 */
const TAKE_LUA = `
local value = redis.call('hget', KEYS[1], 'v')
if not value then return nil end
local attempts = redis.call('hincrby', KEYS[1], 'n', 1)
if attempts > tonumber(ARGV[1]) then return {attempts} end
return {attempts, value}
`;

const COMMAND = 'proofgateTakeStashed';

type ScriptClient = Redis & { [COMMAND](key: string, max: string): Promise<[number, string?] | null> };

/** `prefix` namespaces the keys (REDIS_KEY_PREFIX), as the throttle counters are. */
export function createRedisAttemptStash(client: Redis, prefix: string): AttemptStash {
  client.defineCommand(COMMAND, { lua: TAKE_LUA, numberOfKeys: 1 });
  const scripted = client as ScriptClient;
  const keyOf = (key: string) => `${prefix}:stash:${key}`;

  return {
    async put(key, value, ttlSeconds) {
      rejectIfRedisNotReady(client);
      // One transaction: the hash never exists without its expiry.
      const replies = await client.multi().hset(keyOf(key), { v: value, n: 0 }).expire(keyOf(key), ttlSeconds).exec();
      const failed = replies?.find(([error]) => error);
      if (!replies || failed) throw failed?.[0] ?? new Error('redis transaction discarded');
    },
    async take(key, maxAttempts): Promise<StashTake> {
      rejectIfRedisNotReady(client);
      const reply = await scripted[COMMAND](keyOf(key), String(maxAttempts));
      if (!reply) return { state: 'missing' };
      const [attempts, value] = reply;
      return value === undefined ? { state: 'exhausted', attempts: Number(attempts) } : { state: 'taken', attempts: Number(attempts), value };
    },
    async remove(key) {
      rejectIfRedisNotReady(client);
      await client.del(keyOf(key));
    },
  };
}
