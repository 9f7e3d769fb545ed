import { and, asc, eq, gt, isNotNull, isNull, lt, or, sql } from 'drizzle-orm';
import type { NewSecurityEvent } from '../audit/store';
import type { NewSession } from '../auth/session-store';
import type { Database, DatabaseHandle, Executor } from '../db/client';
import { passkeyCredentials, twoFactorBackupCodes, twoFactorChallenges, twoFactorCredentials, twoFactorReplacedBackupCodes, users } from '../db/schema';

export type CredentialRow = typeof twoFactorCredentials.$inferSelect;
export type BackupCodeRow = typeof twoFactorBackupCodes.$inferSelect;
export type ChallengeRow = typeof twoFactorChallenges.$inferSelect;

export interface ChallengeAttempt {
  challengeId: string;
  /** The credential epoch the temp token was issued under (still the user's when it was taken). */
  credentialEpoch: number;
  /** Attempts taken on this token, this one included. */
  attempts: number;
  user: Pick<typeof users.$inferSelect, 'id' | 'email' | 'role' | 'createdAt'>;
  credential: CredentialRow | undefined;
}

interface ChallengeAttemptRow extends Record<string, unknown> {
  challenge_id: string;
  credential_epoch: number;
  attempts: number | string;
  user_id: string;
  email: string;
  role: 'user' | 'admin';
  user_created_at: Date | string;
  secret_ciphertext: string | null;
  credential_created_at: Date | string | null;
  enabled_at: Date | string | null;
  last_used_step: number | string | null;
  last_used_at: Date | string | null;
}

export type LoginCompletion =
  | { outcome: 'completed'; sessionId: string }
  /** The TOTP step (or a later one) was already used: nothing was written. */
  | { outcome: 'replayed' }
  /** The step was burnt but a concurrent request consumed the temp token first. */
  | { outcome: 'token_used' };

/** The database or a transaction: multi-step changes pass their transaction down. */
export type { Executor };

/**
 * The only SQL of the twofactor capability. Every single-use or state transition is one
 * conditional statement that must change exactly one row (docs/security.md: single-use secrets), so concurrent
 * requests cannot both win.
 */
export function createTwoFactorStore(
  db: Database,
  runTransaction: <T>(work: (tx: Database) => Promise<T>) => Promise<T>,
  prepare: DatabaseHandle['prepare'],
) {
  // The second login step's two statements, sent as named statements (PostgreSQL plans them
  // once per connection); both are data-modifying CTEs, which the query builder cannot express.
  // A token issued under an older credential epoch is dead: it takes no attempt and opens nothing.
  const takeChallengeAttemptStatement = prepare<ChallengeAttemptRow>(
    'two_factor_take_challenge_attempt',
    `with taken as (
       update two_factor_challenges ch
          set failed_attempts = failed_attempts + 1
        where token_hash = $1
          and consumed_at is null
          and failed_attempts < $2
          and expires_at > $3
          and exists (select 1 from users cu where cu.id = ch.user_id and cu.credential_epoch = ch.credential_epoch)
       returning id, user_id, failed_attempts, credential_epoch)
     select taken.id as challenge_id, taken.failed_attempts as attempts, taken.credential_epoch,
            u.id as user_id, u.email, u.role, u.created_at as user_created_at,
            c.secret_ciphertext, c.created_at as credential_created_at, c.enabled_at, c.last_used_step, c.last_used_at
       from taken
       join users u on u.id = taken.user_id
       left join two_factor_credentials c on c.user_id = taken.user_id`,
  );
  // The step is burnt under recordTotpStep's conditions; the token is consumed only if the step
  // was burnt (or no step is given: a backup code), and the inserts happen only if it was.
  const completeLoginStatement = prepare<{ step_recorded: number | string; session_id: string | null }>(
    'two_factor_complete_login',
    `with step as (
       update two_factor_credentials
          set last_used_step = $3, last_used_at = $4
        where $3::bigint is not null
          and user_id = $2
          and enabled_at is not null
          and (last_used_step is null or last_used_step < $3::bigint)
       returning user_id),
     consumed as (
       update two_factor_challenges ch
          set consumed_at = $4
        where id = $1
          and consumed_at is null
          and user_id = $2
          and credential_epoch = $20
          and exists (select 1 from users cu where cu.id = ch.user_id and cu.credential_epoch = ch.credential_epoch)
          and ($3::bigint is null or exists (select 1 from step))
       returning id),
     opened as (
       insert into sessions (user_id, token_hash, aal, authenticated_at, last_seen_at, absolute_expires_at, ip, user_agent, created_at, credential_epoch)
       select $2, $5, $6, $7, $8, $9, $10, $11, $12, $20 from consumed
       returning id),
     audited as (
       insert into security_events (type, user_id, ip, user_agent, request_id, details, created_at)
       select e.type, e.user_id, e.ip, e.user_agent, e.request_id, e.details::jsonb, e.created_at::timestamptz
         from consumed,
              unnest($13::text[], $14::uuid[], $15::text[], $16::text[], $17::text[], $18::text[], $19::text[])
                as e(type, user_id, ip, user_agent, request_id, details, created_at))
     select (select count(*) from step) as step_recorded, (select id from opened) as session_id`,
  );

  // The status read runs on every settings page load: built once, sent as a named statement.
  const credentialWithUnusedCodesQuery = db
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

  // Every successful TOTP check outside the login step runs this one: built once, sent as a named statement.
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

  return {
    transaction: <T>(work: (tx: Executor) => Promise<T>): Promise<T> => runTransaction(work),

    async getCredential(userId: string, executor: Executor = db): Promise<CredentialRow | undefined> {
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
      return (await recordTotpStepQuery.execute({ userId, step, now })).length === 1;
    },

    async touchLastUsed(userId: string, now: Date): Promise<void> {
      await db.update(twoFactorCredentials).set({ lastUsedAt: now }).where(eq(twoFactorCredentials.userId, userId));
    },

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

    /**
     * Stores a temp token only while its user's credential epoch is still `challenge.credentialEpoch`
     * (one conditional statement); false when a password or factor change moved it meanwhile.
     */
    async insertChallengeIfEpochCurrent(challenge: typeof twoFactorChallenges.$inferInsert & { createdAt: Date }): Promise<boolean> {
      // Housekeeping on the way: the user's finished, expired or superseded challenges are useless.
      await db
        .delete(twoFactorChallenges)
        .where(
          and(
            eq(twoFactorChallenges.userId, challenge.userId),
            or(
              isNotNull(twoFactorChallenges.consumedAt),
              lt(twoFactorChallenges.expiresAt, challenge.createdAt),
              lt(twoFactorChallenges.credentialEpoch, challenge.credentialEpoch),
            ),
          ),
        );
      const rows = await db
        .insert(twoFactorChallenges)
        .select(
          db
            .select({
              id: sql`gen_random_uuid()`.as('id'),
              userId: users.id,
              tokenHash: sql`${challenge.tokenHash}::text`.as('token_hash'),
              createdAt: sql`${challenge.createdAt.toISOString()}::timestamptz`.as('created_at'),
              expiresAt: sql`${challenge.expiresAt.toISOString()}::timestamptz`.as('expires_at'),
              consumedAt: sql`null::timestamptz`.as('consumed_at'),
              failedAttempts: sql`0`.as('failed_attempts'),
              credentialEpoch: users.credentialEpoch,
              ip: sql`${challenge.ip ?? null}::text`.as('ip'),
              userAgent: sql`${challenge.userAgent ?? null}::text`.as('user_agent'),
            })
            .from(users)
            .where(and(eq(users.id, challenge.userId), eq(users.credentialEpoch, challenge.credentialEpoch))),
        )
        .returning({ id: twoFactorChallenges.id });
      return rows.length === 1;
    },

    /** Why a temp token was refused (unknown, consumed, out of attempts or expired): the rare path. */
    async findChallenge(tokenHash: string): Promise<ChallengeRow | undefined> {
      const rows = await db.select().from(twoFactorChallenges).where(eq(twoFactorChallenges.tokenHash, tokenHash)).limit(1);
      return rows[0];
    },

    /**
     * The second login step's first statement: takes one of the temp token's attempts BEFORE the
     * code is evaluated (so parallel requests cannot overshoot the limit) and, in the same round
     * trip, reads the user and the credential the code will be checked against. Undefined when
     * the token is unknown, consumed, out of attempts or expired (findChallenge says which).
     */
    async takeChallengeAttempt(tokenHash: string, maxAttempts: number, now: Date): Promise<ChallengeAttempt | undefined> {
      const row = (await takeChallengeAttemptStatement([tokenHash, maxAttempts, now]))[0];
      if (!row) return undefined;
      const credential: CredentialRow | undefined =
        row.secret_ciphertext === null
          ? undefined
          : {
              userId: row.user_id,
              secretCiphertext: row.secret_ciphertext,
              createdAt: new Date(row.credential_created_at!),
              enabledAt: row.enabled_at === null ? null : new Date(row.enabled_at),
              // int8 arrives as a string from node-postgres.
              lastUsedStep: row.last_used_step === null ? null : Number(row.last_used_step),
              lastUsedAt: row.last_used_at === null ? null : new Date(row.last_used_at),
            };
      return {
        challengeId: row.challenge_id,
        credentialEpoch: Number(row.credential_epoch),
        attempts: Number(row.attempts),
        user: { id: row.user_id, email: row.email, role: row.role, createdAt: new Date(row.user_created_at) },
        credential,
      };
    },

    /**
     * The successful end of the second login step as ONE statement: one round trip and one
     * commit instead of four. It burns the TOTP step (replay protection; skipped for a backup
     * code, burnt before), consumes the temp token, and only if both changed their row opens
     * the session and writes the audit rows — built by the session service and the audit log,
     * which own their shape; this statement only stores them.
     */
    async completeLogin(input: {
      challengeId: string;
      userId: string;
      /** The accepted TOTP step, or null when a backup code was burnt instead. */
      totpStep: number | null;
      now: Date;
      session: NewSession;
      events: NewSecurityEvent[];
    }): Promise<LoginCompletion> {
      const { session, events } = input;
      const row = (
        await completeLoginStatement([
          input.challengeId,
          input.userId,
          input.totpStep,
          input.now,
          session.tokenHash,
          session.aal,
          session.authenticatedAt,
          session.lastSeenAt,
          session.absoluteExpiresAt,
          session.ip ?? null,
          session.userAgent ?? null,
          session.createdAt ?? input.now,
          events.map((event) => event.type),
          events.map((event) => event.userId ?? null),
          events.map((event) => event.ip ?? null),
          events.map((event) => event.userAgent ?? null),
          events.map((event) => event.requestId ?? null),
          events.map((event) => JSON.stringify(event.details ?? {})),
          events.map((event) => (event.createdAt ?? input.now).toISOString()),
          session.credentialEpoch,
        ])
      )[0];
      if (!row) throw new Error('completeLogin returned no row');
      if (input.totpStep !== null && Number(row.step_recorded) !== 1) return { outcome: 'replayed' };
      if (row.session_id === null) return { outcome: 'token_used' };
      return { outcome: 'completed', sessionId: row.session_id };
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
