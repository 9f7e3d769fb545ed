import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { openDatabase } from '../../src/server/db/client';
import { runMigrations } from '../../src/server/db/migrate';
import { openProofgateFixtures, type ProofgateFixtures } from '../fixtures/proofgate';
import { proofgateProcessEnv } from '../servers';
import { createBenchDatabases, DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL, deleteRedisKeys, RESULTS_DIR } from './environment';
import { compileProbePreload } from './server-process';

/**
 * What a command that measures Proofgate's verify on its own needs (bench:ab, bench:tail): a
 * database of its own, migrated before any server starts (each turn's users are written before
 * its server runs), the fixtures that write users and temp tokens into it, the probe preload,
 * and the settings of each server it starts, every one under a Redis prefix of its own. `close`
 * removes all of it.
 */
export interface VerifyBench {
  fixtures: ProofgateFixtures;
  probePreload: string;
  /** The bench's settings for one Proofgate server, its limiter keys under `redisPrefix`. */
  serverEnv(redisPrefix: string): Record<string, string>;
  close(): Promise<void>;
}

export async function openVerifyBench(runId: string): Promise<VerifyBench> {
  const adminUrl = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
  const redisUrl = process.env.REDIS_URL || DEFAULT_REDIS_URL;
  const databases = await createBenchDatabases(adminUrl, runId);
  const redisPrefixes: string[] = [];
  let fixtures: ProofgateFixtures | undefined;
  const close = async () => {
    await fixtures?.close();
    await databases.drop();
    for (const prefix of redisPrefixes) await deleteRedisKeys(redisUrl, prefix).catch(() => undefined);
  };
  try {
    const handle = await openDatabase({ databaseUrl: databases.proofgateUrl, dataDir: '/nonexistent', poolMax: 1 });
    await runMigrations(handle).finally(() => handle.close());
    const appEncKey = randomBytes(32).toString('base64');
    fixtures = await openProofgateFixtures({ databaseUrl: databases.proofgateUrl, appEncKeyBase64: appEncKey, tempTokenTtlSeconds: 300, redisUrl });
    const probePreload = await compileProbePreload(path.join(RESULTS_DIR, 'build'));
    return {
      fixtures,
      probePreload,
      serverEnv(redisPrefix) {
        redisPrefixes.push(redisPrefix);
        return proofgateProcessEnv({ databaseUrl: databases.proofgateUrl, redisUrl, redisPrefix, appEncKey });
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
