import { and, eq, ne, sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { sessions, users } from '../db/schema';

export type SessionRow = typeof sessions.$inferSelect;
export type NewSession = typeof sessions.$inferInsert;

export interface SessionWithUser {
  session: SessionRow;
  user: { id: string; email: string; role: 'user' | 'admin' };
}

/** Transaction or database: session writes that belong to a larger change take the caller's transaction. */
type Executor = Pick<Database, 'select' | 'insert' | 'update' | 'delete'>;

export interface SessionStore {
  insert(session: NewSession, executor?: Executor): Promise<SessionRow>;
  findByTokenHash(tokenHash: string): Promise<SessionWithUser | undefined>;
  touch(id: string, lastSeenAt: Date): Promise<void>;
  /** Swaps the token (and optionally AAL / authenticated_at) of one session; undefined if it no longer exists. */
  rotate(
    id: string,
    change: { tokenHash: string; aal?: 1 | 2; authenticatedAt?: Date },
    executor?: Executor,
  ): Promise<SessionRow | undefined>;
  deleteById(id: string): Promise<void>;
  deleteByTokenHash(tokenHash: string): Promise<void>;
  /** Revokes every session of the user except `keepSessionId`; returns how many were revoked. */
  deleteOthersForUser(userId: string, keepSessionId: string | undefined, executor?: Executor): Promise<number>;
}

export function createSessionStore(db: Database): SessionStore {
  // Every authenticated request runs this lookup: built once and sent as a named prepared
  // statement, so neither drizzle nor PostgreSQL parses and plans it again on each request.
  const findByTokenHashQuery = db
    .select({ session: sessions, user: { id: users.id, email: users.email, role: users.role } })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(eq(sessions.tokenHash, sql.placeholder('tokenHash')))
    .limit(1)
    .prepare('sessions_find_by_token_hash');

  return {
    async insert(session, executor = db) {
      const rows = await executor.insert(sessions).values(session).returning();
      return rows[0]!;
    },
    async findByTokenHash(tokenHash) {
      const rows = await findByTokenHashQuery.execute({ tokenHash });
      return rows[0];
    },
    async touch(id, lastSeenAt) {
      await db.update(sessions).set({ lastSeenAt }).where(eq(sessions.id, id));
    },
    async rotate(id, change, executor = db) {
      const rows = await executor
        .update(sessions)
        .set({
          tokenHash: change.tokenHash,
          ...(change.aal !== undefined ? { aal: change.aal } : {}),
          ...(change.authenticatedAt !== undefined ? { authenticatedAt: change.authenticatedAt } : {}),
        })
        .where(eq(sessions.id, id))
        .returning();
      return rows[0];
    },
    async deleteById(id) {
      await db.delete(sessions).where(eq(sessions.id, id));
    },
    async deleteByTokenHash(tokenHash) {
      await db.delete(sessions).where(eq(sessions.tokenHash, tokenHash));
    },
    async deleteOthersForUser(userId, keepSessionId, executor = db) {
      const condition = keepSessionId
        ? and(eq(sessions.userId, userId), ne(sessions.id, keepSessionId))
        : eq(sessions.userId, userId);
      const rows = await executor.delete(sessions).where(condition).returning({ id: sessions.id });
      return rows.length;
    },
  };
}
