import { and, asc, eq, isNull, lt, lte, or, sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { passkeyChallenges, passkeyCredentials, twoFactorBackupCodes, twoFactorCredentials, users } from '../db/schema';

export type PasskeyRow = typeof passkeyCredentials.$inferSelect;
export type NewPasskey = typeof passkeyCredentials.$inferInsert;
export type ChallengePurpose = (typeof passkeyChallenges.$inferSelect)['purpose'];

/** The database or a transaction: multi-step changes pass their transaction down. */
export type Executor = Pick<Database, 'select' | 'insert' | 'update' | 'delete'>;

/** What a challenge is bound to; a consume must name the same binding or it finds nothing. */
export type ChallengeBinding =
  | { purpose: 'registration'; sessionId: string }
  | { purpose: 'second_factor'; tempChallengeId: string }
  | { purpose: 'passwordless' };

export interface FactorSummary {
  totp: boolean;
  passkeys: number;
  unusedBackupCodes: number;
}

function bindingCondition(binding: ChallengeBinding) {
  const purpose = eq(passkeyChallenges.purpose, binding.purpose);
  if (binding.purpose === 'registration') return and(purpose, eq(passkeyChallenges.sessionId, binding.sessionId));
  if (binding.purpose === 'second_factor') return and(purpose, eq(passkeyChallenges.tempChallengeId, binding.tempChallengeId));
  return purpose;
}

/**
 * The only SQL of the passkeys capability. Single-use transitions (challenge consumption,
 * counter advance) are one conditional statement each, so concurrent requests cannot both win.
 */
export function createPasskeyStore(db: Database, runTransaction: <T>(work: (tx: Database) => Promise<T>) => Promise<T>) {
  return {
    transaction: <T>(work: (tx: Executor) => Promise<T>): Promise<T> => runTransaction(work),

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

    /** The account's second factors in one round trip: what login offers and what a removal leaves. */
    async factorSummary(userId: string, executor: Executor = db): Promise<FactorSummary> {
      const rows = await executor
        .select({
          totp: sql<boolean>`exists (select 1 from ${twoFactorCredentials} t where t.user_id = ${userId} and t.enabled_at is not null)`,
          passkeys: sql<number>`(select count(*)::int from ${passkeyCredentials} p where p.user_id = ${userId})`,
          codes: sql<number>`(select count(*)::int from ${twoFactorBackupCodes} b where b.user_id = ${userId} and b.used_at is null)`,
        })
        .from(users)
        .where(eq(users.id, userId))
        .limit(1);
      const row = rows[0];
      return { totp: Boolean(row?.totp), passkeys: Number(row?.passkeys ?? 0), unusedBackupCodes: Number(row?.codes ?? 0) };
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

    /** Turning two-factor off with the last factor: its backup codes go too. */
    async deleteBackupCodes(executor: Executor, userId: string): Promise<void> {
      await executor.delete(twoFactorBackupCodes).where(eq(twoFactorBackupCodes.userId, userId));
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

    async insertChallenge(input: {
      challenge: string;
      binding: ChallengeBinding;
      userId: string | null;
      userHandle: string | null;
      now: Date;
      expiresAt: Date;
    }): Promise<void> {
      // Housekeeping on the way: expired challenges are useless to everyone.
      await db.delete(passkeyChallenges).where(lte(passkeyChallenges.expiresAt, input.now));
      const { binding } = input;
      await db.insert(passkeyChallenges).values({
        challenge: input.challenge,
        purpose: binding.purpose,
        userId: input.userId,
        sessionId: binding.purpose === 'registration' ? binding.sessionId : null,
        tempChallengeId: binding.purpose === 'second_factor' ? binding.tempChallengeId : null,
        userHandle: input.userHandle,
        createdAt: input.now,
        expiresAt: input.expiresAt,
      });
    },

    /**
     * Consumes a challenge under its binding, live or not, in one statement: a second use (or a
     * use from another session or sign-in) finds nothing. The caller refuses an expired one.
     */
    async consumeChallenge(
      challenge: string,
      binding: ChallengeBinding,
      now: Date,
    ): Promise<{ expiresAt: Date; userId: string | null; userHandle: string | null } | undefined> {
      const rows = await db
        .update(passkeyChallenges)
        .set({ consumedAt: now })
        .where(and(eq(passkeyChallenges.challenge, challenge), isNull(passkeyChallenges.consumedAt), bindingCondition(binding)))
        .returning({ expiresAt: passkeyChallenges.expiresAt, userId: passkeyChallenges.userId, userHandle: passkeyChallenges.userHandle });
      return rows[0];
    },

  };
}

export type PasskeyStore = ReturnType<typeof createPasskeyStore>;
