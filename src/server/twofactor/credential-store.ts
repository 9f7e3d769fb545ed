import { and, eq, isNotNull, isNull, lt, or, sql } from 'drizzle-orm';
import type { Database, Executor } from '../db/client';
import { passkeyCredentials, twoFactorBackupCodes, twoFactorCredentials, twoFactorReplacedBackupCodes } from '../db/schema';

export type CredentialRow = typeof twoFactorCredentials.$inferSelect;

/** The status read runs on every settings page load: built once, sent as a named statement. */
function credentialWithUnusedCodesQuery(db: Database) {
  return db
    .select({
      credential: twoFactorCredentials,
      // Aliased on purpose: drizzle renders interpolated columns unqualified inside a sql``
      // subquery, so `user_id = user_id` would count every user's codes.
      unusedBackupCodes: sql<number>`(select count(*)::int from ${twoFactorBackupCodes} as unused where unused.user_id = ${twoFactorCredentials}.user_id and unused.used_at is null)`,
    })
    .from(twoFactorCredentials)
    .where(eq(twoFactorCredentials.userId, sql.placeholder('userId')))
    .limit(1)
    .prepare('two_factor_credential_with_unused_codes');
}

/** Every successful TOTP check outside the login step runs this one: built once, sent as a named statement. */
function recordTotpStepQuery(db: Database) {
  return db
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
}

/** The TOTP credential's life: pending, enabled, used, removed. */
export function createCredentialStore(db: Database) {
  const credentialWithUnusedCodes = credentialWithUnusedCodesQuery(db);
  const recordTotpStep = recordTotpStepQuery(db);

  return {
    async getCredential(userId: string, executor: Executor = db): Promise<CredentialRow | undefined> {
      const rows = await executor.select().from(twoFactorCredentials).where(eq(twoFactorCredentials.userId, userId)).limit(1);
      return rows[0];
    },

    /**
     * The status read (every settings page load): the credential and its unused backup codes
     * counted in the same statement, one round trip instead of two.
     */
    async getCredentialWithUnusedCodes(userId: string): Promise<{ credential: CredentialRow; unusedBackupCodes: number } | undefined> {
      const rows = await credentialWithUnusedCodes.execute({ userId });
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
        // lastUsedAt stays null: "last used" means used to sign in or confirm a change, not turned on.
        .set({ enabledAt: input.now, lastUsedStep: input.step })
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
    async recordTotpStep(userId: string, step: number, now: Date): Promise<boolean> {
      return (await recordTotpStep.execute({ userId, step, now })).length === 1;
    },

    async touchLastUsed(userId: string, now: Date): Promise<void> {
      await db.update(twoFactorCredentials).set({ lastUsedAt: now }).where(eq(twoFactorCredentials.userId, userId));
    },
  };
}

/** Removing second factors: turning TOTP off, and the admin reset that removes every factor. */
export function createFactorRemovalStore() {
  return {
    /** Deletes the credential and every backup code; returns false if there was no enabled credential. */
    async deleteEnabledCredential(executor: Executor, userId: string, options: { keepBackupCodes?: boolean } = {}): Promise<boolean> {
      const rows = await executor
        .delete(twoFactorCredentials)
        .where(and(eq(twoFactorCredentials.userId, userId), isNotNull(twoFactorCredentials.enabledAt)))
        .returning({ userId: twoFactorCredentials.userId });
      if (!options.keepBackupCodes) {
        await executor.delete(twoFactorBackupCodes).where(eq(twoFactorBackupCodes.userId, userId));
        await executor.delete(twoFactorReplacedBackupCodes).where(eq(twoFactorReplacedBackupCodes.userId, userId));
      }
      return rows.length === 1;
    },

    /** Admin recovery: removes any credential (pending or enabled) and all codes. */
    async deleteAllFactors(executor: Executor, userId: string): Promise<number> {
      const rows = await executor
        .delete(twoFactorCredentials)
        .where(eq(twoFactorCredentials.userId, userId))
        .returning({ userId: twoFactorCredentials.userId });
      await executor.delete(twoFactorBackupCodes).where(eq(twoFactorBackupCodes.userId, userId));
      await executor.delete(twoFactorReplacedBackupCodes).where(eq(twoFactorReplacedBackupCodes.userId, userId));
      // Passkeys are second factors too: an admin reset removes them with the rest.
      const passkeys = await executor.delete(passkeyCredentials).where(eq(passkeyCredentials.userId, userId)).returning({ id: passkeyCredentials.id });
      return rows.length + passkeys.length;
    },
  };
}
