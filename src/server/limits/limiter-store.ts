import { Redis } from 'ioredis';
import type pg from 'pg';
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Logger } from 'pino';
import { createRedisConsumeInOrder } from './redis-consume-in-order';
import { createRedisAttemptStash } from './redis-attempt-stash';
import { createRedisGiveBack } from './redis-give-back';

/**
 * Where throttle counters live. rate-limiter-flexible does the counting atomically in each
 * store (a Lua script in Redis, an upsert in PostgreSQL), so concurrent guesses can never be
 * evaluated past a limit, and several instances sharing the store share the counters.
 */
export type LimiterStoreKind = 'memory' | 'postgres' | 'redis';

export interface LimitSpec {
  /** Namespace of the counters, e.g. `2fa_user`; becomes the key prefix. */
  name: string;
  points: number;
  durationSeconds: number;
  /** Once over the limit, refuse for this long (0 = until the window ends). */
  blockDurationSeconds?: number;
}

/**
 * Whether the store's scripts can count for this limiter: they set the window with `EX`, which
 * takes whole seconds above zero. Any other window goes through the library, gate by gate.
 */
export function windowFitsScripts(spec: LimitSpec): boolean {
  return Number.isInteger(spec.durationSeconds) && spec.durationSeconds > 0;
}

/**
 * Whether the counters outlive a restart of the store. Lockouts are counters: a store that
 * forgets them on restart hands every locked account and throttled address a fresh set of
 * guesses. `unverifiable`: the store would not say (a managed Redis that disables CONFIG).
 */
export type LimiterPersistence =
  | { state: 'durable'; detail: string }
  | { state: 'volatile'; detail: string }
  | { state: 'unverifiable'; detail: string };

/** One point to take from one limiter's counter for `key`. */
export interface ConsumeStep {
  spec: LimitSpec;
  key: string;
}

/** What a counter holds after a step: as rate-limiter-flexible's RateLimiterRes reports it. */
export interface ConsumeOutcome {
  consumedPoints: number;
  msBeforeNext: number;
}

/** What a success gives back to one limiter's counter for `key`: one point, or the whole count. */
export interface GiveBackCounterStep {
  spec: LimitSpec;
  key: string;
  kind: 'refund' | 'reset';
}

/** What taking one attempt on a stashed value found. */
export type StashTake =
  | { state: 'taken'; attempts: number; value: string; owner: string }
  /** This attempt went over the limit; the value stays hidden. */
  | { state: 'exhausted'; attempts: number }
  /** Never stashed, expired (by the store's clock or the caller's), removed, or lost with the store. */
  | { state: 'missing' };

/** What the store reads of a stashed value without decoding it: whose it is and until when. */
export interface StashLabel {
  owner: string;
  expiresAtMs: number;
}

/**
 * Throttle points taken in the same atomic step as a stash's attempt, in order, stopping at the
 * first refusal, exactly as consumeInOrder takes them.
 */
export interface StashPoints {
  /** Taken whatever the stash holds: an attempt on a missing or spent value still costs these. */
  always: readonly ConsumeStep[];
  /** Taken after `always`, only when the value was handed over: counted for the value's owner. */
  owner: readonly LimitSpec[];
}

/**
 * A short-lived value shared by every instance, handed out only together with one of its
 * attempts: for a check that needs the value to evaluate an attempt and must count the attempt
 * before it evaluates it (the second login step: docs/security.md).
 */
export interface AttemptStash {
  /** Stores `value` with a count of 0 for `ttlSeconds`. */
  put(key: string, value: string, label: StashLabel, ttlSeconds: number): Promise<void>;
  /**
   * Counts one attempt and, while the count is at most `maxAttempts` and `nowMs` is before the
   * label's expiry, hands the value over; `points` are taken in the same atomic step, and their
   * outcomes come back in their order (the last may be a refusal).
   */
  take(key: string, maxAttempts: number, nowMs: number, points?: StashPoints): Promise<{ take: StashTake; outcomes: ConsumeOutcome[] }>;
  /**
   * Removes the value. `giveBack` (counters of this stash's own store, as LimiterStore.giveBack
   * takes them) are given back in the same command: a success on the value ends in one round
   * trip (limits/give-back.ts, giveBackAndRemove).
   */
  remove(key: string, giveBack?: readonly GiveBackCounterStep[]): Promise<void>;
}

export interface LimiterStore {
  kind: LimiterStoreKind;
  /**
   * Only a store every instance shares and that answers in one round trip has it (Redis);
   * without it the second login step counts its attempts in the database.
   */
  attemptStash?: AttemptStash;
  create(spec: LimitSpec): RateLimiterAbstract;
  /**
   * Takes one point per step, in order, atomically, and stops after the first step that goes
   * over its limit (its outcome is the last one returned), as consecutive `consume` calls
   * would. Only a store that does it in one round trip has it (Redis); for the others the
   * gates reserve one after another (limits/reserve-in-order.ts).
   */
  consumeInOrder?(steps: readonly ConsumeStep[]): Promise<ConsumeOutcome[]>;
  /**
   * Refunds one point or resets the counter, per step, in one round trip: exactly the
   * limiters' own `reward(key, 1)` and `delete(key)`. Only Redis has it (limits/give-back.ts).
   */
  giveBack?(steps: readonly GiveBackCounterStep[]): Promise<void>;
  /** Throws when the store cannot be reached (readiness, system status). */
  ping(): Promise<void>;
  /** Throws when the store cannot be reached; system status reports the answer. */
  persistence(): Promise<LimiterPersistence>;
  close(): Promise<void>;
}

export interface LimiterStoreOptions {
  redisUrl: string | undefined;
  redisKeyPrefix: string;
  pool: pg.Pool | undefined;
  logger: Logger;
}

/** REDIS_URL → Redis; else DATABASE_URL's pool → PostgreSQL; else memory (one embedded process). */
export function openLimiterStore(options: LimiterStoreOptions): LimiterStore {
  if (options.redisUrl) return openRedisStore(options.redisUrl, options.redisKeyPrefix, options.logger);
  if (options.pool) return openPostgresStore(options.pool);
  return openMemoryStore();
}

function openMemoryStore(): LimiterStore {
  return {
    kind: 'memory',
    create: (spec) =>
      new RateLimiterMemory({
        keyPrefix: spec.name,
        points: spec.points,
        duration: spec.durationSeconds,
        blockDuration: spec.blockDurationSeconds ?? 0,
      }),
    ping: async () => undefined,
    // Lost with the process, but so is everything else of an embedded single-process deployment;
    // a restart of this process is not something an attacker outside it can trigger cheaply.
    persistence: async () => ({ state: 'durable', detail: 'counters live in this process (lost when it restarts)' }),
    close: async () => undefined,
  };
}

function openPostgresStore(pool: pg.Pool): LimiterStore {
  return {
    kind: 'postgres',
    create: (spec) =>
      new RateLimiterPostgres({
        storeClient: pool,
        storeType: 'pool',
        tableName: 'rate_limits',
        // The table comes from our migrations (0001_rate_limits).
        tableCreated: true,
        keyPrefix: spec.name,
        points: spec.points,
        duration: spec.durationSeconds,
        blockDuration: spec.blockDurationSeconds ?? 0,
      }),
    async ping() {
      await pool.query('select 1 from rate_limits limit 1');
    },
    persistence: async () => ({ state: 'durable', detail: 'counters are rows of the rate_limits table' }),
    close: async () => undefined,
  };
}

/** A connection in progress gets a moment to finish before it counts as down. */
function waitForReady(client: Redis, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off('ready', onReady);
      reject(new Error(`redis ${client.status}`));
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    client.once('ready', onReady);
  });
}

function openRedisStore(url: string, keyPrefix: string, logger: Logger): LimiterStore {
  const client = new Redis(url, {
    // Fail fast while Redis is down instead of queueing commands: the limiter then rejects,
    // and the route fails closed with 503 rather than waiting or skipping the limit.
    enableOfflineQueue: false,
    // No auto-pipelining: every command issued alone in its tick (nearly all of them: a second
    // login step sends two, each after the other's answer) would still get a Pipeline object of
    // its own, which copies every defined script onto itself. Those objects outlived young-space
    // collections and filled the old space, whose collections lined up with the verify's slowest
    // answers; without it a verify cost 10 % less CPU against PostgreSQL's (docs/performance.md).
    enableAutoPipelining: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    commandTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  });
  let lastErrorLogMs = 0;
  client.on('error', (error: NodeJS.ErrnoException) => {
    // ioredis emits an error on every failed reconnect; one line every 10 s is enough.
    const now = Date.now();
    if (now - lastErrorLogMs > 10_000) {
      lastErrorLogMs = now;
      logger.warn({ cause_code: error.code }, 'redis limiter store unreachable');
    }
  });
  // RateLimiterRedis keys a counter as `${its keyPrefix}:${key}`; the script must use the same keys.
  const limiterPrefix = (spec: LimitSpec) => `${keyPrefix}:${spec.name}`;
  const counterKey = (step: { spec: LimitSpec; key: string }) => `${limiterPrefix(step.spec)}:${step.key}`;
  const giveBack = createRedisGiveBack(client, counterKey);
  return {
    kind: 'redis',
    consumeInOrder: createRedisConsumeInOrder(client, counterKey),
    giveBack,
    attemptStash: createRedisAttemptStash(client, keyPrefix, counterKey, giveBack),
    create: (spec) =>
      new RateLimiterRedis({
        storeClient: client,
        keyPrefix: limiterPrefix(spec),
        points: spec.points,
        duration: spec.durationSeconds,
        blockDuration: spec.blockDurationSeconds ?? 0,
        rejectIfRedisNotReady: true,
      }),
    async ping() {
      if (client.status !== 'ready') await waitForReady(client, 1_000);
      await client.ping();
    },
    async persistence() {
      if (client.status !== 'ready') await waitForReady(client, 1_000);
      return redisPersistence(client);
    },
    async close() {
      client.disconnect();
    },
  };
}

/**
 * Redis persists with an append-only file (`appendonly yes`) or snapshots (`save` rules); with
 * neither, a restart starts empty. Managed Redis services often refuse CONFIG (unknown command,
 * or an ACL denies it): that reply is "cannot tell", while a connection failure throws.
 */
export async function redisPersistence(client: Pick<Redis, 'config'>): Promise<LimiterPersistence> {
  let appendonly: string | undefined;
  let save: string | undefined;
  try {
    appendonly = ((await client.config('GET', 'appendonly')) as string[])[1];
    save = ((await client.config('GET', 'save')) as string[])[1];
  } catch (error) {
    if ((error as Error).name === 'ReplyError') return { state: 'unverifiable', detail: 'Redis refused CONFIG GET' };
    throw error;
  }
  if (appendonly === undefined || save === undefined) return { state: 'unverifiable', detail: 'Redis did not report appendonly and save' };
  if (appendonly === 'yes') return { state: 'durable', detail: 'Redis with an append-only file (appendonly yes)' };
  if (save.trim() !== '') return { state: 'durable', detail: `Redis with snapshots (save ${save}; a restart loses what changed since the last one)` };
  return { state: 'volatile', detail: 'Redis without persistence (appendonly no, save "")' };
}
