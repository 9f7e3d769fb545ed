import type { Redis } from 'ioredis';
import type { AttemptStash, ConsumeStep, GiveBackCounterStep, StashTake } from './limiter-store';
import { CONSUME_STEP_LUA, consumeStepArgs, outcomesFrom } from './redis-consume-step';
import { rejectIfRedisNotReady } from './redis-ready';

/**
 * Takes one attempt on a stashed value and hands the value over, atomically: the attempt is
 * counted before the caller can use the value, so parallel requests cannot evaluate more than
 * `max` attempts between them, on any number of instances. The throttle points that go with the
 * attempt are taken in the same script (one round trip, not two): first those every attempt
 * pays (KEYS[2..]), then, only for a value handed over, those of its owner. The owner is known
 * only once the stash is read, so their keys are the counters' prefixes (ARGV) joined with the
 * stash's `o` field here: keys a script builds must all live on one node, and the limiter store
 * never uses Redis Cluster.
 *
 * The value, its owner, its expiry and its counter are fields of ONE hash key, so an eviction or
 * a restart loses them together: a stash is never found without its count. The expiry (`x`,
 * epoch ms) is the application's, compared with the caller's clock: the key's TTL runs on Redis's.
 *
 * ARGV: max attempts, now (ms), three numbers per KEYS[2..] step, four per owner step (counter
 * prefix, window, points, block). Reply: state (0 missing, 1 exhausted, 2 taken), attempts,
 * value and owner ('' unless taken), then consumed and ms left per step taken.
 */
const TAKE_LUA = `${CONSUME_STEP_LUA}
local fields = redis.call('hmget', KEYS[1], 'v', 'o', 'x')
local state, attempts = 0, 0
if fields[1] and fields[2] and fields[3] and tonumber(fields[3]) > tonumber(ARGV[2]) then
  attempts = redis.call('hincrby', KEYS[1], 'n', 1)
  if attempts > tonumber(ARGV[1]) then state = 1 else state = 2 end
end
local reply = { state, attempts, '', '' }
if state == 2 then
  reply[3] = fields[1]
  reply[4] = fields[2]
end
local arg = 3
for i = 2, #KEYS do
  if consume_step(KEYS[i], ARGV[arg], ARGV[arg + 1], ARGV[arg + 2], reply) then return reply end
  arg = arg + 3
end
if state ~= 2 then return reply end
while arg <= #ARGV do
  if consume_step(ARGV[arg] .. fields[2], ARGV[arg + 1], ARGV[arg + 2], ARGV[arg + 3], reply) then return reply end
  arg = arg + 4
end
return reply
`;

const COMMAND = 'proofgateTakeStashed';

type ScriptClient = Redis & { [COMMAND](keyCount: number, ...keysAndArgs: string[]): Promise<Array<number | string>> };

/**
 * `prefix` namespaces the stash's keys (REDIS_KEY_PREFIX), as the throttle counters are;
 * `counterKey(step)` must give the key RateLimiterRedis uses for that step's limiter and key;
 * `giveBack` is the same store's (redis-give-back.ts): a stash is removed with the counters.
 */
export function createRedisAttemptStash(
  client: Redis,
  prefix: string,
  counterKey: (step: ConsumeStep) => string,
  giveBack: (steps: readonly GiveBackCounterStep[], alsoDelete: readonly string[]) => Promise<void>,
): AttemptStash {
  client.defineCommand(COMMAND, { lua: TAKE_LUA });
  const scripted = client as ScriptClient;
  const keyOf = (key: string) => `${prefix}:stash:${key}`;

  return {
    async put(key, value, label, ttlSeconds) {
      rejectIfRedisNotReady(client);
      // One transaction: the hash never exists without its expiry.
      const replies = await client
        .multi()
        .hset(keyOf(key), { v: value, o: label.owner, x: label.expiresAtMs, n: 0 })
        .expire(keyOf(key), ttlSeconds)
        .exec();
      const failed = replies?.find(([error]) => error);
      if (!replies || failed) throw failed?.[0] ?? new Error('redis transaction discarded');
    },
    async take(key, maxAttempts, nowMs, points = { always: [], owner: [] }) {
      rejectIfRedisNotReady(client);
      const keys = [keyOf(key), ...points.always.map(counterKey)];
      const args = [
        String(maxAttempts),
        String(nowMs),
        ...points.always.flatMap(({ spec }) => consumeStepArgs(spec)),
        ...points.owner.flatMap((spec) => [counterKey({ spec, key: '' }), ...consumeStepArgs(spec)]),
      ];
      const reply = await scripted[COMMAND](keys.length, ...keys, ...args);
      const [state, attempts, value, owner] = reply;
      const take: StashTake =
        state === 2
          ? { state: 'taken', attempts: Number(attempts), value: String(value), owner: String(owner) }
          : state === 1
            ? { state: 'exhausted', attempts: Number(attempts) }
            : { state: 'missing' };
      return { take, outcomes: outcomesFrom(reply, 4) };
    },
    async remove(key, counters = []) {
      rejectIfRedisNotReady(client);
      if (counters.length > 0) await giveBack(counters, [keyOf(key)]);
      else await client.del(keyOf(key));
    },
  };
}
