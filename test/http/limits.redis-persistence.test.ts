import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { openLimiterStore, type LimiterStore } from '../../src/server/limits/limiter-store';
import { limiterPersistenceCheck } from '../../src/server/system/status-checks';
import { CHILD_PROCESS_TEST_TIMEOUT_MS, startPrivateRedis, type PrivateRedis } from '../support/processes';
import { testDatabaseKind } from '../support/test-database';
import { startServerWithAdmin } from '../support/twilio';

/**
 * Lockouts live in the limiter store; a Redis without persistence forgets them all when it
 * restarts. System status must say so (degraded in development, blocked in production), and say
 * "could not be verified" when Redis refuses CONFIG, as managed services do.
 */
const silent = pino({ level: 'silent' });
const cleanups: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function privateRedis(extraArgs: string[] = []): Promise<PrivateRedis> {
  // Its own directory: CONFIG SET appendonly yes writes files, which must not land in the repository.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'proofgate-redis-'));
  const redis = await startPrivateRedis(['--dir', dir, ...extraArgs]);
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }), () => redis.stop());
  return redis;
}

function store(url: string): LimiterStore {
  const opened = openLimiterStore({ redisUrl: url, redisKeyPrefix: `persist_${process.pid}`, pool: undefined, logger: silent });
  cleanups.push(() => opened.close());
  return opened;
}

const run = (s: LimiterStore, isProduction: boolean) => limiterPersistenceCheck(s, isProduction).run({ refresh: false });

describe.skipIf(testDatabaseKind() !== 'pglite')('Redis persistence on System status', { timeout: CHILD_PROCESS_TEST_TIMEOUT_MS }, () => {
  it('without persistence: REDIS_NOT_PERSISTENT, degraded in development, blocked in production, gone once AOF is on', async () => {
    const redis = await privateRedis();
    const limiter = store(redis.url);

    const development = await run(limiter, false);
    expect(development).toMatchObject({ ok: false, detail: expect.stringContaining('without persistence') });
    expect(development.blockers).toEqual([
      expect.objectContaining({ code: 'REDIS_NOT_PERSISTENT', severity: 'degraded', message: expect.stringContaining('restart'), fix: expect.stringContaining('appendonly yes') }),
    ]);
    expect((await run(limiter, true)).blockers).toEqual([expect.objectContaining({ code: 'REDIS_NOT_PERSISTENT', severity: 'blocked' })]);

    // The same through the admin's System status page.
    const { server, admin } = await startServerWithAdmin({ deps: { limiterStore: store(redis.url) } });
    cleanups.push(() => server.close());
    const report = (await admin.get('/api/system/status')).body as { blockers: Array<{ code: string }>; checks: Record<string, { ok: boolean }> };
    expect(report.blockers.map((b) => b.code)).toContain('REDIS_NOT_PERSISTENT');
    expect(report.checks.limiter_persistence).toMatchObject({ ok: false });

    const redisAdmin = new Redis(redis.url);
    cleanups.push(() => redisAdmin.disconnect());
    await redisAdmin.config('SET', 'appendonly', 'yes');
    expect(await run(limiter, true)).toMatchObject({ ok: true, detail: expect.stringContaining('appendonly yes') });
    await redisAdmin.config('SET', 'appendonly', 'no');
    await redisAdmin.config('SET', 'save', '60 1');
    expect(await run(limiter, true)).toMatchObject({ ok: true, detail: expect.stringContaining('snapshots') });
  });

  it('a Redis that refuses CONFIG (managed Redis): REDIS_PERSISTENCE_UNVERIFIED, degraded, with the fix', async () => {
    const redis = await privateRedis(['--rename-command', 'CONFIG', '']);
    const limiter = store(redis.url);
    for (const isProduction of [false, true]) {
      const result = await run(limiter, isProduction);
      expect(result.ok).toBe(false);
      expect(result.blockers).toEqual([
        expect.objectContaining({ code: 'REDIS_PERSISTENCE_UNVERIFIED', severity: 'degraded', message: expect.stringContaining('could not be verified'), fix: expect.stringContaining('persistence') }),
      ]);
    }
  });

  it('a Redis that is down: the check fails as unverified (the limiter_store check already blocks)', async () => {
    const redis = await privateRedis();
    const limiter = store(redis.url);
    await redis.stop();
    await expect(run(limiter, true)).rejects.toThrow();
    expect(limiterPersistenceCheck(limiter, true).onFailure).toMatchObject({ code: 'REDIS_PERSISTENCE_UNVERIFIED', severity: 'degraded' });
  });

  it('memory and PostgreSQL stores raise nothing', async () => {
    const memory = openLimiterStore({ redisUrl: undefined, redisKeyPrefix: 't', pool: undefined, logger: silent });
    expect(await run(memory, true)).toMatchObject({ ok: true });
  });

  // CI's shared Redis runs with --save "" and no AOF: exactly the deployment this check exists for.
  it.skipIf(!process.env.TEST_REDIS_URL)('the shared TEST_REDIS_URL (no persistence, as CI runs it) is reported', async () => {
    const result = await run(store(process.env.TEST_REDIS_URL!), false);
    expect(result.blockers).toEqual([expect.objectContaining({ code: 'REDIS_NOT_PERSISTENT', severity: 'degraded' })]);
  });
});
