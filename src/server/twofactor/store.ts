import { and, asc, eq, gt, isNotNull, isNull, lt, or, sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { twoFactorBackupCodes, twoFactorChallenges, twoFactorCredentials } from '../db/schema';

export type CredentialRow = typeof twoFactorCredentials.$inferSelect;
export type BackupCodeRow = typeof twoFactorBackupCodes.$inferSelect;
export type ChallengeRow = typeof twoFactorChallenges.$inferSelect;

/** The database or a transaction: multi-step changes pass their transaction down. */
export type Executor = Pick<Database, 'select' | 'insert' | 'update' | 'delete'>;

/**
 * The only SQL of the twofactor capability. Every single-use or state transition is one
 * conditional statement that must change exactly one row (STYLE.md rule 4), so concurrent
 * requests cannot both win.
 */
export function createTwoFactorStore(db: Database, runTransaction: <T>(work: (tx: Database) => Promise<T>) => Promise<T>) {
  // The status read runs on every settings page load: built once, sent as a named statement.
  const credentialWithUnusedCodesQuery = db
    .select({
      credential: twoFactorCredentials,
      unusedBackupCodes: sql<number>`(select count(*)::int from ${twoFactorBackupCodes} where ${twoFactorBackupCodes.userId} = ${twoFactorCredentials.userId} and ${twoFactorBackupCodes.usedAt} is null)`,
    })
    .from(twoFactorCredentials)
    .where(eq(twoFactorCredentials.userId, sql.placeholder('userId')))
    .limit(1)
    .prepare('two_factor_credential_with_unused_codes');

  // The second login step (POST /api/auth/2fa/verify) runs these on every attempt: built once,
  // sent as named statements. Same SQL and conditions as the builder calls they replace.
  const credentialQuery = db
    .select()
    .from(twoFactorCredentials)
    .where(eq(twoFactorCredentials.userId, sql.placeholder('userId')))
    .limit(1)
    .prepare('two_factor_credential');
  const recordTotpStepQuery = db
    .update(twoFactorCredentials)
    .set({ lastUsedStep: sql`${sql.placeholder('step')}`, lastUsedAt: sql`${sql.placeholder('now')}` })
    .where(
      and(
        eq(twoFactorCredentials.userId, sql.placeholder('userId')),
        isNotNull(twoFactorCredentials.enabledAt),
        or(isNull(twoFactorCredentials.lastUsedStep), lt(twoFactorCredentials.lastUsedStep, sql.placeholder('step'))),
      ),
    )
    .returning({ userId: twoFactorCredentials.userId })
    .prepare('two_factor_record_totp_step');
  const findChallengeQuery = db
    .select()
    .from(twoFactorChallenges)
    .where(eq(twoFactorChallenges.tokenHash, sql.placeholder('tokenHash')))
    .limit(1)
    .prepare('two_factor_find_challenge');
  const reserveChallengeAttemptQuery = db
    .update(twoFactorChallenges)
    .set({ failedAttempts: sql`${twoFactorChallenges.failedAttempts} + 1` })
    .where(
      and(
        eq(twoFactorChallenges.id, sql.placeholder('id')),
        isNull(twoFactorChallenges.consumedAt),
        lt(twoFactorChallenges.failedAttempts, sql.placeholder('maxAttempts')),
      ),
    )
    .returning({ attempts: twoFactorChallenges.failedAttempts })
    .prepare('two_factor_reserve_challenge_attempt');
  const consumeChallengeQuery = db
    .update(twoFactorChallenges)
    .set({ consumedAt: sql`${sql.placeholder('now')}` })
    .where(and(eq(twoFactorChallenges.id, sql.placeholder('id')), isNull(twoFactorChallenges.consumedAt)))
    .returning({ id: twoFactorChallenges.id })
    .prepare('two_factor_consume_challenge');

  return {
    transaction: <T>(work: (tx: Executor) => Promise<T>): Promise<T> => runTransaction(work),

    async getCredential(userId: string, executor: Executor = db): Promise<CredentialRow | undefined> {
      if (executor === db) return (await credentialQuery.execute({ userId }))[0];
      const rows = await executor.select().from(twoFactorCredentials).where(eq(twoFactorCredentials.userId, userId)).limit(1);
      return rows[0];
    },

    /**
     * The status read (every settings page load): the credential and its unused backup codes
     * counted in the same statement, one round trip instead of two.
     */
    async getCredentialWithUnusedCodes(userId: string): Promise<{ credential: CredentialRow; unusedBackupCodes: number } | undefined> {
      const rows = await credentialWithUnusedCodesQuery.execute({ userId });
      return rows[0];
    },

    /** Creates or replaces the pending credential; returns false (and changes nothing) when 2FA is enabled. */
    async upsertPendingCredential(userId: string, secretCiphertext: string, now: Date): Promise<boolean> {
      const rows = await db
        .insert(twoFactorCredentials)
        .values({ userId, secretCiphertext, createdAt: now })
        .onConflictDoUpdate({
          target: twoFactorCredentials.userId,
          set: { secretCiphertext, createdAt: now, lastUsedStep: null, lastUsedAt: null },
          setWhere: isNull(twoFactorCredentials.enabledAt),
        })
        .returning({ userId: twoFactorCredentials.userId });
      return rows.length === 1;
    },

    /**
     * The one atomic transition to "enabled": only if still pending AND still holding the very
     * secret the code was checked against (a concurrent setup may have replaced it).
     */
    async enablePendingCredential(
      executor: Executor,
      input: { userId: string; secretCiphertext: string; step: number; now: Date },
    ): Promise<boolean> {
      const rows = await executor
        .update(twoFactorCredentials)
        .set({ enabledAt: input.now, lastUsedStep: input.step, lastUsedAt: input.now })
        .where(
          and(
            eq(twoFactorCredentials.userId, input.userId),
            isNull(twoFactorCredentials.enabledAt),
            eq(twoFactorCredentials.secretCiphertext, input.secretCiphertext),
          ),
        )
        .returning({ userId: twoFactorCredentials.userId });
      return rows.length === 1;
    },

    /** Records an accepted TOTP step; false when this step (or a later one) was already used: a replay. */
    async recordTotpStep(userId: string, step: number, now: Date, executor: Executor = db): Promise<boolean> {
      if (executor === db) return (await recordTotpStepQuery.execute({ userId, step, now })).length === 1;
      const rows = await executor
        .update(twoFactorCredentials)
        .set({ lastUsedStep: step, lastUsedAt: now })
        .where(
          and(
            eq(twoFactorCredentials.userId, userId),
            isNotNull(twoFactorCredentials.enabledAt),
            or(isNull(twoFactorCredentials.lastUsedStep), lt(twoFactorCredentials.lastUsedStep, step)),
          ),
        )
        .returning({ userId: twoFactorCredentials.userId });
      return rows.length === 1;
    },

    async touchLastUsed(userId: string, now: Date, executor: Executor = db): Promise<void> {
      await executor.update(twoFactorCredentials).set({ lastUsedAt: now }).where(eq(twoFactorCredentials.userId, userId));
    },

    /** Deletes the credential and every backup code; returns false if there was no enabled credential. */
    async deleteEnabledCredential(executor: Executor, userId: string): Promise<boolean> {
      const rows = await executor
        .delete(twoFactorCredentials)
        .where(and(eq(twoFactorCredentials.userId, userId), isNotNull(twoFactorCredentials.enabledAt)))
        .returning({ userId: twoFactorCredentials.userId });
      await executor.delete(twoFactorBackupCodes).where(eq(twoFactorBackupCodes.userId, userId));
      return rows.length === 1;
    },

    /** Admin recovery: removes any credential (pending or enabled) and all codes. */
    async deleteAllFactors(executor: Executor, userId: string): Promise<number> {
      const rows = await executor
        .delete(twoFactorCredentials)
        .where(eq(twoFactorCredentials.userId, userId))
        .returning({ userId: twoFactorCredentials.userId });
      await executor.delete(twoFactorBackupCodes).where(eq(twoFactorBackupCodes.userId, userId));
      return rows.length;
    },

    async replaceBackupCodes(
      executor: Executor,
      userId: string,
      codes: ReadonlyArray<{ selector: string; codeHash: string }>,
      now: Date,
    ): Promise<void> {
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

    /** Burns a code; false when a concurrent request burnt it first. */
    async burnBackupCode(id: string, now: Date, executor: Executor = db): Promise<boolean> {
      const rows = await executor
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

    async insertChallenge(challenge: typeof twoFactorChallenges.$inferInsert): Promise<void> {
      // Housekeeping on the way: the user's finished or expired challenges are useless.
      await db
        .delete(twoFactorChallenges)
        .where(
          and(
            eq(twoFactorChallenges.userId, challenge.userId),
            or(isNotNull(twoFactorChallenges.consumedAt), lt(twoFactorChallenges.expiresAt, challenge.createdAt ?? new Date())),
          ),
        );
      await db.insert(twoFactorChallenges).values(challenge);
    },

    async findChallenge(tokenHash: string): Promise<ChallengeRow | undefined> {
      return (await findChallengeQuery.execute({ tokenHash }))[0];
    },

    /**
     * Takes one of the token's attempts before the code is evaluated: true while fewer than
     * `maxAttempts` were taken and the token is unconsumed. Parallel requests cannot overshoot.
     */
    async reserveChallengeAttempt(id: string, maxAttempts: number): Promise<{ reserved: boolean; attempts: number }> {
      const rows = await reserveChallengeAttemptQuery.execute({ id, maxAttempts });
      return rows[0] ? { reserved: true, attempts: rows[0].attempts } : { reserved: false, attempts: maxAttempts };
    },

    /** Single use: false if another request consumed it first. */
    async consumeChallenge(id: string, now: Date, executor: Executor = db): Promise<boolean> {
      if (executor === db) return (await consumeChallengeQuery.execute({ id, now })).length === 1;
      const rows = await executor
        .update(twoFactorChallenges)
        .set({ consumedAt: now })
        .where(and(eq(twoFactorChallenges.id, id), isNull(twoFactorChallenges.consumedAt)))
        .returning({ id: twoFactorChallenges.id });
      return rows.length === 1;
    },

    /** Key rotation: a page of credentials after `afterUserId`, in a stable order. */
    async listCredentialsPage(afterUserId: string | undefined, limit: number) {
      return db
        .select({ userId: twoFactorCredentials.userId, secretCiphertext: twoFactorCredentials.secretCiphertext })
        .from(twoFactorCredentials)
        .where(afterUserId ? gt(twoFactorCredentials.userId, afterUserId) : undefined)
        .orderBy(asc(twoFactorCredentials.userId))
        .limit(limit);
    },

    /** Swaps one ciphertext for its re-encryption, only if nobody changed the row meanwhile. */
    async replaceCiphertext(userId: string, previous: string, next: string): Promise<boolean> {
      const rows = await db
        .update(twoFactorCredentials)
        .set({ secretCiphertext: next })
        .where(and(eq(twoFactorCredentials.userId, userId), eq(twoFactorCredentials.secretCiphertext, previous)))
        .returning({ userId: twoFactorCredentials.userId });
      return rows.length === 1;
    },

    /** Stored secrets per key id (the second part of the envelope), for status checks. */
    async countCredentialsByKeyId(): Promise<Array<{ keyId: string; count: number }>> {
      const rows = await db
        .select({
          keyId: sql<string>`split_part(${twoFactorCredentials.secretCiphertext}, '.', 2)`,
          count: sql<number>`count(*)::int`,
        })
        .from(twoFactorCredentials)
        .groupBy(sql`1`);
      return rows;
    },
  };
}

export type TwoFactorStore = ReturnType<typeof createTwoFactorStore>;
