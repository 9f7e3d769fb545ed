import { inArray, lte, or, type SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Database } from '../db/client';
import { passkeyChallenges, passwordResetTokens, rememberedDevices, sessions, twoFactorChallenges } from '../db/schema';

/** What one purge deleted, per table. */
export type PurgeCounts = Record<PurgeTable, number>;
export type PurgeTable = 'sessions' | 'two_factor_challenges' | 'passkey_challenges' | 'remembered_devices' | 'password_reset_tokens';

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
  ] as const satisfies ReadonlyArray<{ name: PurgeTable; table: PgTable; key: PgColumn; dead: SQL | undefined }>;
}

/** The SQL of housekeeping: deletes dead rows, at most `batch` per table and statement. */
export function createHousekeepingStore(db: Database) {
  return {
    async purgeBatch(input: { now: Date; idleSeconds: number; graceMs: number; batch: number }): Promise<PurgeCounts> {
      const grace = new Date(input.now.getTime() - input.graceMs);
      const counts = {} as PurgeCounts;
      for (const { name, table, key, dead } of deadRows(input.now, input.idleSeconds, grace)) {
        // A bounded batch: one statement never locks or rewrites a whole table.
        const doomed = db.select({ key }).from(table).where(dead).limit(input.batch);
        const deleted = await db.delete(table).where(inArray(key, doomed)).returning({ key });
        counts[name] = deleted.length;
      }
      return counts;
    },
  };
}

export type HousekeepingStore = ReturnType<typeof createHousekeepingStore>;