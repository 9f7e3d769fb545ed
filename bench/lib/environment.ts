import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { standaloneThreadpoolSize } from '../../src/server/lib/threadpool-size';
import { envSchema } from '../../src/server/settings/env-schema';

/** Where the bench's commands find PostgreSQL and Redis unless DATABASE_URL and REDIS_URL say otherwise. */
export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
/** Reports, profiles and the compiled probe (git-ignored). */
export const RESULTS_DIR = path.resolve('bench/results');

/** Fresh databases per run on the configured PostgreSQL server, dropped at the end. */
export interface BenchDatabases {
  proofgateUrl: string;
  peerUrl: string;
  serverVersion: string;
  drop(): Promise<void>;
}

function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

export async function createBenchDatabases(adminUrl: string, runId: string): Promise<BenchDatabases> {
  const names = { proofgate: `bench_proofgate_${runId}`, peer: `bench_better_auth_${runId}` };
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const version = await admin.query<{ server_version: string }>('show server_version');
    await admin.query(`create database "${names.proofgate}"`);
    await admin.query(`create database "${names.peer}"`);
    return {
      proofgateUrl: withDatabase(adminUrl, names.proofgate),
      peerUrl: withDatabase(adminUrl, names.peer),
      serverVersion: version.rows[0]?.server_version ?? 'unknown',
      async drop() {
        const client = new pg.Client({ connectionString: adminUrl });
        await client.connect();
        for (const name of Object.values(names)) await client.query(`drop database if exists "${name}" with (force)`).catch(() => undefined);
        await client.end();
      },
    };
  } finally {
    await admin.end();
  }
}

export async function redisVersion(url: string): Promise<string> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await client.connect();
    const info = await client.info('server');
    return /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
  } finally {
    client.disconnect();
  }
}

export { deleteRedisKeys } from '../../tools/common/redis-keys';

export interface MachineFacts {
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  postgres: string;
  redis: string;
  threadpoolSize: string;
  loadAverage: string;
}

export function machineFacts(postgres: string, redis: string): MachineFacts {
  return {
    cores: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    postgres,
    redis,
    // Proofgate's, as npm start sizes it (boot/threadpool.ts); the peers keep libuv's default of 4.
    threadpoolSize: process.env.UV_THREADPOOL_SIZE ?? `${standaloneThreadpoolSize()} for Proofgate (one per core, at least 2), 4 (libuv default) for the peers`,
    loadAverage: os.loadavg().map((n) => n.toFixed(2)).join(' / '),
  };
}

/** `DATABASE_POOL_MAX` when it is not set, from the settings' one definition. */
const PROOFGATE_DEFAULT_POOL_MAX: number = envSchema.shape.DATABASE_POOL_MAX.parse(undefined);

/**
 * The PostgreSQL pool every bench server gets, the same for each (Proofgate, the better-auth
 * peers, both hosts, the sign-in floor, the login service): 20, Proofgate's default
 * `DATABASE_POOL_MAX`. BENCH_DATABASE_POOL_MAX sets another size for every server at once. A
 * pool of 5 (PostgreSQL's rule of two connections per core plus one) was measured and not kept:
 * it took PostgreSQL work off Proofgate's verify but made better-auth's session check slower
 * (docs/performance.md, "The PostgreSQL pool").
 */
export function benchDatabasePoolMax(): number {
  const fromEnv = Number(process.env.BENCH_DATABASE_POOL_MAX);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : PROOFGATE_DEFAULT_POOL_MAX;
}

export const newRunId = () => `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
