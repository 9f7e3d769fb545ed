import { Redis } from 'ioredis';
import type pg from 'pg';
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Logger } from 'pino';

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

export interface LimiterStore {
  kind: LimiterStoreKind;
  create(spec: LimitSpec): RateLimiterAbstract;
  /** Throws when the store cannot be reached (readiness, system status). */
  ping(): Promise<void>;
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
  return {
    kind: 'redis',
    create: (spec) =>
      new RateLimiterRedis({
        storeClient: client,
        keyPrefix: `${keyPrefix}:${spec.name}`,
        points: spec.points,
        duration: spec.durationSeconds,
        blockDuration: spec.blockDurationSeconds ?? 0,
        rejectIfRedisNotReady: true,
      }),
    async ping() {
      if (client.status !== 'ready') await waitForReady(client, 1_000);
      await client.ping();
    },
    async close() {
      client.disconnect();
    },
  };
}
