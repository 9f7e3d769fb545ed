import { and, eq, isNotNull, notExists, sql } from 'drizzle-orm';
import type { Database, Executor } from '../db/client';
import { passkeyCredentials, twoFactorCredentials, users } from '../db/schema';

export type UserRow = typeof users.$inferSelect;
export type Role = UserRow['role'];

/** The one place that says what grants admin rights: the stored role, set only by the operator's CLI. */
export function isAdminRole(role: Role): boolean {
  return role === 'admin';
}

const UNIQUE_VIOLATION = '23505';

function isUniqueViolation(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; current && depth < 4; depth += 1) {
    if ((current as { code?: unknown }).code === UNIQUE_VIOLATION) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

export interface UserStore {
  findByEmail(email: string): Promise<UserRow | undefined>;
  findById(id: string): Promise<UserRow | undefined>;
  /** Returns undefined when the email is taken (unique index), so callers need no pre-check race. */
  insert(input: { email: string; passwordHash: string; role: Role }): Promise<UserRow | undefined>;
  setRole(id: string, role: Role): Promise<void>;
  /** Emails of admins with no enabled second factor (system status names them). */
  listAdminsWithoutTwoFactor(): Promise<string[]>;
  /**
   * Moves the credential epoch on (voiding every session, temp token and device cookie issued
   * under the old one), optionally with a new password hash, in the caller's transaction. With
   * `expectedEpoch` it changes nothing and returns undefined when the epoch moved meanwhile:
   * the session asking for the change was itself voided by a concurrent change.
   */
  advanceCredentialEpoch(
    id: string,
    change: { expectedEpoch?: number; passwordHash?: string },
    executor?: Executor,
  ): Promise<number | undefined>;
}

export function createUserStore(db: Database): UserStore {
  // Every login starts here: built once, sent as a named statement (no query building per call).
  const byEmail = db.select().from(users).where(eq(users.email, sql.placeholder('email'))).limit(1).prepare('users_find_by_email');
  return {
    async findByEmail(email) {
      const rows = await byEmail.execute({ email });
      return rows[0];
    },
    async findById(id) {
      const rows = await db.select().from(users).where(eq(users.id, id)).limit(1);
      return rows[0];
    },
    async insert(input) {
      try {
        const rows = await db.insert(users).values(input).returning();
        return rows[0];
      } catch (error) {
        if (isUniqueViolation(error)) return undefined;
        throw error;
      }
    },
    async setRole(id, role) {
      await db.update(users).set({ role, updatedAt: new Date() }).where(eq(users.id, id));
    },
    async listAdminsWithoutTwoFactor() {
      const rows = await db
        .select({ email: users.email })
        .from(users)
        .where(
          and(
            eq(users.role, 'admin'),
            notExists(
              db
                .select({ one: sql`1` })
                .from(twoFactorCredentials)
                .where(and(eq(twoFactorCredentials.userId, users.id), isNotNull(twoFactorCredentials.enabledAt))),
            ),
            notExists(db.select({ one: sql`1` }).from(passkeyCredentials).where(eq(passkeyCredentials.userId, users.id))),
          ),
        )
        .orderBy(users.email)
        .limit(20);
      return rows.map((row) => row.email);
    },
    async advanceCredentialEpoch(id, change, executor = db) {
      const rows = await executor
        .update(users)
        .set({
          credentialEpoch: sql`${users.credentialEpoch} + 1`,
          ...(change.passwordHash !== undefined ? { passwordHash: change.passwordHash } : {}),
          updatedAt: new Date(),
        })
        .where(and(eq(users.id, id), change.expectedEpoch === undefined ? undefined : eq(users.credentialEpoch, change.expectedEpoch)))
        .returning({ credentialEpoch: users.credentialEpoch });
      return rows[0]?.credentialEpoch;
    },
  };
}
