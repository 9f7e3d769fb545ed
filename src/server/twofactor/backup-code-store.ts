import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Database, Executor } from '../db/client';
import { twoFactorBackupCodes, twoFactorReplacedBackupCodes } from '../db/schema';

export type BackupCodeRow = typeof twoFactorBackupCodes.$inferSelect;

/** Backup codes: the current set, the one remembered replaced set, and burning a used code. */
export function createBackupCodeStore(db: Database) {
  return {
    async replaceBackupCodes(
      executor: Executor,
      userId: string,
      codes: ReadonlyArray<{ selector: string; codeHash: string }>,
      now: Date,
    ): Promise<void> {
      // The unused codes of the set being replaced become the one remembered "replaced" set.
      await executor.delete(twoFactorReplacedBackupCodes).where(eq(twoFactorReplacedBackupCodes.userId, userId));
      await executor.insert(twoFactorReplacedBackupCodes).select(
        db
          .select({
            userId: twoFactorBackupCodes.userId,
            selector: twoFactorBackupCodes.selector,
            codeHash: twoFactorBackupCodes.codeHash,
            replacedAt: sql`${now.toISOString()}::timestamptz`.as('replaced_at'),
          })
          .from(twoFactorBackupCodes)
          .where(and(eq(twoFactorBackupCodes.userId, userId), isNull(twoFactorBackupCodes.usedAt))),
      );
      await executor.delete(twoFactorBackupCodes).where(eq(twoFactorBackupCodes.userId, userId));
      await executor
        .insert(twoFactorBackupCodes)
        .values(codes.map((code) => ({ userId, selector: code.selector, codeHash: code.codeHash, createdAt: now })));
    },

    async findUnusedBackupCode(userId: string, selector: string): Promise<BackupCodeRow | undefined> {
      const rows = await db
        .select()
        .from(twoFactorBackupCodes)
        .where(
          and(eq(twoFactorBackupCodes.userId, userId), eq(twoFactorBackupCodes.selector, selector), isNull(twoFactorBackupCodes.usedAt)),
        )
        .limit(1);
      return rows[0];
    },

    /** A code of the replaced set with this selector (only asked when the current set has none). */
    async findReplacedBackupCode(userId: string, selector: string): Promise<{ codeHash: string } | undefined> {
      const rows = await db
        .select({ codeHash: twoFactorReplacedBackupCodes.codeHash })
        .from(twoFactorReplacedBackupCodes)
        .where(and(eq(twoFactorReplacedBackupCodes.userId, userId), eq(twoFactorReplacedBackupCodes.selector, selector)))
        .limit(1);
      return rows[0];
    },

    /** Burns a code; false when a concurrent request burnt it first. */
    async burnBackupCode(id: string, now: Date): Promise<boolean> {
      const rows = await db
        .update(twoFactorBackupCodes)
        .set({ usedAt: now })
        .where(and(eq(twoFactorBackupCodes.id, id), isNull(twoFactorBackupCodes.usedAt)))
        .returning({ id: twoFactorBackupCodes.id });
      return rows.length === 1;
    },

    async countUnusedBackupCodes(userId: string): Promise<number> {
      const rows = await db
        .select({ count: sql<number>`count(*)::int` })
        .from(twoFactorBackupCodes)
        .where(and(eq(twoFactorBackupCodes.userId, userId), isNull(twoFactorBackupCodes.usedAt)));
      return rows[0]?.count ?? 0;
    },
  };
}
