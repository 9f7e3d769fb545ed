import { eq, sql, type Placeholder, type SQL } from 'drizzle-orm';
import type { Database, Executor } from '../db/client';
import { passkeyCredentials, twoFactorBackupCodes, twoFactorCredentials, users } from '../db/schema';

export interface FactorSummary {
  totp: boolean;
  passkeys: number;
  unusedBackupCodes: number;
}

type UserIdValue = string | Placeholder<'userId'>;

/**
 * The three counts of a factor summary as columns, for the user `userId` names: an id, the
 * prepared statement's placeholder, or the user row of the statement's own FROM.
 */
function factorCountColumns(userId: UserIdValue | SQL) {
  return {
    totp: sql<boolean>`exists (select 1 from ${twoFactorCredentials} t where t.user_id = ${userId} and t.enabled_at is not null)`,
    passkeys: sql<number>`(select count(*)::int from ${passkeyCredentials} p where p.user_id = ${userId})`,
    codes: sql<number>`(select count(*)::int from ${twoFactorBackupCodes} b where b.user_id = ${userId} and b.used_at is null)`,
  };
}

/** The three counts of factorSummary, for one user (an id, or the prepared statement's placeholder). */
function factorSummaryQuery(executor: Executor, userId: UserIdValue) {
  return executor.select(factorCountColumns(userId)).from(users).where(eq(users.id, userId)).limit(1);
}

type UserRow = typeof users.$inferSelect;

/** The row of a sign-in: the user an email names and its factor counts, from one snapshot. */
function accountByEmailQuery(db: Database) {
  // Qualified by hand: in a one-table select drizzle writes a bare "id", which inside the
  // subqueries would name the factor table's own id column.
  const userId = sql`${users}.${sql.identifier(users.id.name)}`;
  return db
    .select({ user: users, ...factorCountColumns(userId) })
    .from(users)
    .where(eq(users.email, sql.placeholder('email')))
    .limit(1);
}

function summaryOf(row: { totp: unknown; passkeys: unknown; codes: unknown } | undefined): FactorSummary {
  return { totp: Boolean(row?.totp), passkeys: Number(row?.passkeys ?? 0), unusedBackupCodes: Number(row?.codes ?? 0) };
}

/** An account's second factors as a whole: what it has, and what goes when the last one does. */
export function createFactorStore(db: Database) {
  const summaryOfUser = factorSummaryQuery(db, sql.placeholder('userId')).prepare('passkeys_factor_summary');
  // Every password sign-in starts here: built once, sent as a named statement.
  const accountOfEmail = accountByEmailQuery(db).prepare('passkeys_sign_in_account');
  return {
    /** The user an email names with its second factors, in one statement (undefined: no such user). */
    async accountByEmail(email: string): Promise<{ user: UserRow; factors: FactorSummary } | undefined> {
      const row = (await accountOfEmail.execute({ email }))[0];
      return row && { user: row.user, factors: summaryOf(row) };
    },


    /** The account's second factors in one round trip: what login offers and what a removal leaves. */
    async factorSummary(userId: string, executor: Executor = db): Promise<FactorSummary> {
      const rows = executor === db ? await summaryOfUser.execute({ userId }) : await factorSummaryQuery(executor, userId);
      return summaryOf(rows[0]);
    },

    /** Turning two-factor off with the last factor: its backup codes go too. */
    async deleteBackupCodes(executor: Executor, userId: string): Promise<void> {
      await executor.delete(twoFactorBackupCodes).where(eq(twoFactorBackupCodes.userId, userId));
    },
  };
}
