import type { Logger } from 'pino';
import type { Clock } from '../lib/clock';
import type { HousekeepingStore, PurgeCounts } from './store';

/** How often an instance purges; instances of one database take turns (store.ts). */
export const HOUSEKEEPING_INTERVAL_MS = 10 * 60_000;
const DAY_MS = 24 * 3600_000;
/** Tokens and challenges stay this long after they stopped being usable (store.ts). */
export const PURGE_GRACE_MS = DAY_MS;
/** Rows per table and statement, and statements per table and pass. */
const BATCH = 1_000;
const MAX_BATCHES = 20;

export interface Housekeeping {
  /** One pass: deletes dead rows in batches until a table has none left or its batches are spent. */
  runOnce(): Promise<PurgeCounts>;
  start(intervalMs: number): void;
  /** Stops the timer and waits for a pass in progress. */
  close(): Promise<void>;
}

/**
 * Deletes sessions, temp tokens, challenges, remembered browsers and reset tokens that can never
 * be used again, so those tables hold what is live rather than every sign-in there ever was; sent
 * mail a month on; and security events and integration usage past AUDIT_RETENTION_DAYS.
 */
export function createHousekeeping(deps: {
  store: HousekeepingStore;
  clock: Clock;
  logger: Logger;
  sessionIdleSeconds: number;
  /** Security events and integration usage older than this many days are deleted; 0 keeps them forever. */
  auditRetentionDays: number;
}): Housekeeping {
  const { store, clock, logger } = deps;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<PurgeCounts> | undefined;

  async function pass(): Promise<PurgeCounts> {
    const total = {} as PurgeCounts;
    for (let batch = 0; batch < MAX_BATCHES; batch += 1) {
      const nowMs = clock.nowMs();
      const auditBefore = deps.auditRetentionDays > 0 ? new Date(nowMs - deps.auditRetentionDays * DAY_MS) : undefined;
      const counts = await store.purgeBatch({ now: new Date(nowMs), idleSeconds: deps.sessionIdleSeconds, graceMs: PURGE_GRACE_MS, batch: BATCH, auditBefore });
      // Another instance is purging this database right now: its pass covers this one's.
      if (!counts) break;
      for (const [table, n] of Object.entries(counts) as Array<[keyof PurgeCounts, number]>) total[table] = (total[table] ?? 0) + n;
      if (Object.values(counts).every((n) => n < BATCH)) break;
    }
    const deleted = Object.values(total).reduce((sum, n) => sum + n, 0);
    if (deleted > 0) logger.info({ deleted: total }, 'housekeeping purged rows that can no longer be used');
    return total;
  }

  function runOnce(): Promise<PurgeCounts> {
    running ??= pass().finally(() => (running = undefined));
    return running;
  }

  return {
    runOnce,
    start(intervalMs) {
      if (timer) return;
      timer = setInterval(() => {
        runOnce().catch((error: unknown) => logger.warn({ cause_code: (error as { code?: unknown }).code }, 'housekeeping pass failed; the next one retries'));
      }, intervalMs);
      timer.unref();
    },
    async close() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running?.catch(() => undefined);
    },
  };
}
