import { and, asc, eq, exists, gt, inArray, lte, ne, or, sql, type SQL } from 'drizzle-orm';
import { alias, type PgColumn, type PgTable } from 'drizzle-orm/pg-core';
import type { Database, DatabaseHandle } from '../db/client';
import { integrationUsageEvents, mailOutbox, passkeyChallenges, passwordResetTokens, rememberedDevices, securityEvents, sessions, twoFactorChallenges } from '../db/schema';

/** What one purge deleted, per table. */
export type PurgeCounts = Record<PurgeTable, number>;
export type PurgeTable =
  | 'sessions'
  | 'two_factor_challenges'
  | 'passkey_challenges'
  | 'remembered_devices'
  | 'password_reset_tokens'
  | 'mail_outbox'
  | 'security_events'
  | 'integration_usage_events';

/**
 * Rows that can never be used again. Sessions go as soon as the resolver would refuse them (the
 * same idle and absolute rules as auth/session-resolver.ts); tokens and challenges one `grace`
 * after they stopped being usable, so an answer that says "expired" (TEMP_TOKEN_EXPIRED,
 * RESET_TOKEN_EXPIRED) rather than "invalid" stays true for that long.
 */
function deadRows(now: Date, idleSeconds: number, grace: Date) {
  return [
    { name: 'sessions', table: sessions, key: sessions.id, dead: or(lte(sessions.absoluteExpiresAt, now), lte(sessions.lastSeenAt, new Date(now.getTime() - idleSeconds * 1000))) },
    { name: 'two_factor_challenges', table: twoFactorChallenges, key: twoFactorChallenges.id, dead: or(lte(twoFactorChallenges.expiresAt, grace), lte(twoFactorChallenges.consumedAt, grace)) },
    { name: 'passkey_challenges', table: passkeyChallenges, key: passkeyChallenges.id, dead: lte(passkeyChallenges.expiresAt, now) },
    { name: 'remembered_devices', table: rememberedDevices, key: rememberedDevices.id, dead: lte(rememberedDevices.expiresAt, now) },
    {
      name: 'password_reset_tokens',
      table: passwordResetTokens,
      key: passwordResetTokens.tokenHash,
      dead: or(lte(passwordResetTokens.expiresAt, grace), lte(passwordResetTokens.usedAt, grace)),
    },
    // Sent or given-up mail, a month on (database time, as the rows were stamped): its payload is
    // already wiped; the notice budget reads the last hour and System status the last day.
    {
      name: 'mail_outbox',
      table: mailOutbox,
      key: mailOutbox.id,
      dead: and(inArray(mailOutbox.status, ['sent', 'failed']), lte(mailOutbox.createdAt, sql`now() - interval '30 days'`)),
    },
  ] as const satisfies ReadonlyArray<{ name: PurgeTable; table: PgTable; key: PgColumn; dead: SQL | undefined }>;
}

/**
 * The first key of the transaction advisory lock a batch runs under (the second is 0). Only
 * housekeeping takes locks in this namespace.
 */
export const HOUSEKEEPING_LOCK_NAMESPACE = 0x68736b70; // 'hskp'

/** The SQL of housekeeping: deletes dead rows, at most `batch` per table and statement. */
export function createHousekeepingStore(transaction: DatabaseHandle['transaction']) {
  return {
    /**
     * One batch, in one transaction that first tries the housekeeping lock: undefined (nothing
     * deleted) when another instance of the same database holds it, so instances sharing a
     * database take turns instead of each scanning the same tables for the same rows.
     */
    async purgeBatch(input: { now: Date; idleSeconds: number; graceMs: number; batch: number; auditBefore: Date | undefined }): Promise<PurgeCounts | undefined> {
      return transaction(async (tx) => {
        const [lock] = await tx.select({ held: sql<boolean>`pg_try_advisory_xact_lock(${HOUSEKEEPING_LOCK_NAMESPACE}::int, 0)` }).from(sql`(select 1) as one`);
        if (!lock?.held) return undefined;
        const grace = new Date(input.now.getTime() - input.graceMs);
        const counts = {} as PurgeCounts;
        for (const { name, table, key, dead } of deadRows(input.now, input.idleSeconds, grace)) {
          // A bounded batch: one statement never locks or rewrites a whole table.
          const doomed = tx.select({ key }).from(table).where(dead).limit(input.batch);
          const deleted = await tx.delete(table).where(inArray(key, doomed)).returning({ key });
          counts[name] = deleted.length;
        }
        counts.security_events = input.auditBefore ? await purgeOldEvents(tx, input.auditBefore, input.batch) : 0;
        counts.integration_usage_events = input.auditBefore ? await purgeOldUsage(tx, input.auditBefore, input.batch) : 0;
        return counts;
      });
    },
  };
}

/**
 * Security events older than the retention (AUDIT_RETENTION_DAYS). Only the `batch` oldest rows
 * by id are looked at, through the primary key: the trail can be large, and a scan of it for
 * every pass would cost more than the purge. Ids grow with time, so the oldest rows are these.
 */
async function purgeOldEvents(db: Database, before: Date, batch: number): Promise<number> {
  const oldest = db.select({ id: securityEvents.id, createdAt: securityEvents.createdAt }).from(securityEvents).orderBy(asc(securityEvents.id)).limit(batch).as('oldest');
  const doomed = db.select({ id: oldest.id }).from(oldest).where(lte(oldest.createdAt, before));
  const deleted = await db.delete(securityEvents).where(inArray(securityEvents.id, doomed)).returning({ id: securityEvents.id });
  return deleted.length;
}

/**
 * Integration usage events (the SMS and mail usage trail) older than the same retention, except
 * each integration's newest success: the control plane's "used" reads the last success ever
 * recorded, and an integration quiet for longer than the retention was still used once.
 */
async function purgeOldUsage(db: Database, before: Date, batch: number): Promise<number> {
  const event = integrationUsageEvents;
  const newer = alias(integrationUsageEvents, 'newer_success');
  const laterSuccess = db
    .select({ one: sql`1` })
    .from(newer)
    .where(and(eq(newer.integration, event.integration), eq(newer.status, 'success'), gt(newer.createdAt, event.createdAt)));
  const doomed = db
    .select({ id: event.id })
    .from(event)
    .where(and(lte(event.createdAt, before), or(ne(event.status, 'success'), exists(laterSuccess))))
    .limit(batch);
  const deleted = await db.delete(event).where(inArray(event.id, doomed)).returning({ id: event.id });
  return deleted.length;
}

export type HousekeepingStore = ReturnType<typeof createHousekeepingStore>;