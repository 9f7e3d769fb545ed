import { and, eq, gt, isNull } from 'drizzle-orm';
import type { Database } from '../db/client';
import { passwordResetTokens } from '../db/schema';

export type PasswordResetRow = typeof passwordResetTokens.$inferSelect;
type Executor = Pick<Database, 'update'>;

/** The only SQL of password reset: tokens by their SHA-256, never the token itself. */
export function createPasswordResetStore(db: Database) {
  return {
    async insert(row: { tokenHash: string; userId: string; credentialEpoch: number; expiresAt: Date }): Promise<void> {
      await db.insert(passwordResetTokens).values(row);
    },

    async find(tokenHash: string): Promise<PasswordResetRow | undefined> {
      const rows = await db.select().from(passwordResetTokens).where(eq(passwordResetTokens.tokenHash, tokenHash)).limit(1);
      return rows[0];
    },

    /**
     * Marks the token used if it still is unused and unexpired. One statement, so of two
     * concurrent uses exactly one sees the row (PostgreSQL re-checks `used_at` after the first
     * commits); the caller's transaction makes the claim and the password change one unit.
     */
    async claim(tokenHash: string, now: Date, executor: Executor = db): Promise<boolean> {
      const rows = await executor
        .update(passwordResetTokens)
        .set({ usedAt: now })
        .where(and(eq(passwordResetTokens.tokenHash, tokenHash), isNull(passwordResetTokens.usedAt), gt(passwordResetTokens.expiresAt, now)))
        .returning({ tokenHash: passwordResetTokens.tokenHash });
      return rows.length === 1;
    },
  };
}

export type PasswordResetStore = ReturnType<typeof createPasswordResetStore>;
