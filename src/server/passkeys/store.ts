import { and, asc, eq, lt, or, sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { passkeyChallenges, passkeyCredentials } from '../db/schema';
import { createPasskeyChallengeStore } from './challenge-store';
import { createFactorStore } from './factor-store';

export type { ChallengeBinding } from './challenge-store';
export type { FactorSummary } from './factor-store';

export type PasskeyRow = typeof passkeyCredentials.$inferSelect;
export type NewPasskey = typeof passkeyCredentials.$inferInsert;
export type ChallengePurpose = (typeof passkeyChallenges.$inferSelect)['purpose'];

/** The database or a transaction: multi-step changes pass their transaction down. */
export type Executor = Pick<Database, 'select' | 'insert' | 'update' | 'delete'>;

/**
 * The only SQL of the passkeys capability. Single-use transitions (challenge consumption,
 * counter advance) are one conditional statement each, so concurrent requests cannot both win.
 */
export function createPasskeyStore(db: Database, runTransaction: <T>(work: (tx: Database) => Promise<T>) => Promise<T>) {
  return {
    transaction: <T>(work: (tx: Executor) => Promise<T>): Promise<T> => runTransaction(work),
    ...createPasskeyChallengeStore(db),
    ...createFactorStore(db),

    async listForUser(userId: string, executor: Executor = db): Promise<PasskeyRow[]> {
      return executor.select().from(passkeyCredentials).where(eq(passkeyCredentials.userId, userId)).orderBy(asc(passkeyCredentials.createdAt));
    },

    async findByCredentialId(credentialId: string): Promise<PasskeyRow | undefined> {
      const rows = await db.select().from(passkeyCredentials).where(eq(passkeyCredentials.credentialId, credentialId)).limit(1);
      return rows[0];
    },

    async findForUser(userId: string, id: string): Promise<PasskeyRow | undefined> {
      const rows = await db
        .select()
        .from(passkeyCredentials)
        .where(and(eq(passkeyCredentials.userId, userId), eq(passkeyCredentials.id, id)))
        .limit(1);
      return rows[0];
    },

    /** Inserts a credential; false when its credential id is already registered (to anyone). */
    async insert(executor: Executor, passkey: NewPasskey): Promise<PasskeyRow | undefined> {
      const rows = await executor.insert(passkeyCredentials).values(passkey).onConflictDoNothing().returning();
      return rows[0];
    },

    async rename(userId: string, id: string, name: string): Promise<PasskeyRow | undefined> {
      const rows = await db
        .update(passkeyCredentials)
        .set({ name })
        .where(and(eq(passkeyCredentials.userId, userId), eq(passkeyCredentials.id, id)))
        .returning();
      return rows[0];
    },

    async remove(executor: Executor, userId: string, id: string): Promise<boolean> {
      const rows = await executor
        .delete(passkeyCredentials)
        .where(and(eq(passkeyCredentials.userId, userId), eq(passkeyCredentials.id, id)))
        .returning({ id: passkeyCredentials.id });
      return rows.length === 1;
    },

    /**
     * Records a verified assertion: the counter only moves forward (0 → 0 is allowed: many
     * authenticators never count). False when a concurrent or replayed assertion got there first.
     */
    async advanceCounter(id: string, counter: number, backedUp: boolean, now: Date): Promise<boolean> {
      const rows = await db
        .update(passkeyCredentials)
        .set({ counter, backedUp, lastUsedAt: now })
        .where(
          and(
            eq(passkeyCredentials.id, id),
            or(lt(passkeyCredentials.counter, counter), and(eq(passkeyCredentials.counter, 0), sql`${counter}::bigint = 0`)),
          ),
        )
        .returning({ id: passkeyCredentials.id });
      return rows.length === 1;
    },
  };
}

export type PasskeyStore = ReturnType<typeof createPasskeyStore>;
