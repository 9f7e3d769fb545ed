import { and, desc, eq, isNotNull, ne, sql } from 'drizzle-orm';
import type { NewSecurityEvent } from '../audit/store';
import type { Database, DatabaseHandle, Executor } from '../db/client';
import { passkeyCredentials, sessions, twoFactorCredentials, users } from '../db/schema';
import { OPEN_SESSION_WITH_EVENTS_SQL, openSessionParams, type OpenedSessionRow } from './session-opening';

export type SessionRow = typeof sessions.$inferSelect;
export type NewSession = typeof sessions.$inferInsert;

export interface SessionWithUser {
  session: SessionRow;
  user: { id: string; email: string; role: 'user' | 'admin'; credentialEpoch: number; twoFactorEnabled: boolean };
}

/** Transaction or database: session writes that belong to a larger change take the caller's transaction. */

export interface SessionStore {
  /**
   * Stores the session only while its user's credential epoch is still `session.credentialEpoch`
   * (one conditional statement); undefined when a password or factor change moved it since the
   * caller read it, so a login that checked an old password cannot open a session afterwards.
   */
  insertIfEpochCurrent(session: NewSession, executor?: Executor): Promise<SessionRow | undefined>;
  /**
   * insertIfEpochCurrent and the sign-in's security events in one statement, outside any
   * transaction: the events are written only if the session was (auth/session-opening.ts).
   * The new session's id, or undefined when the epoch moved and nothing was written.
   */
  insertIfEpochCurrentWithEvents(session: NewSession, events: readonly NewSecurityEvent[]): Promise<string | undefined>;
  findByTokenHash(tokenHash: string): Promise<SessionWithUser | undefined>;
  touch(id: string, lastSeenAt: Date): Promise<void>;
  /**
   * Swaps the token (and optionally AAL / authenticated_at / credential epoch) of one session that
   * was issued under `expectedEpoch`; undefined if it no longer exists or belongs to another epoch.
   */
  rotate(
    id: string,
    expectedEpoch: number,
    change: { tokenHash: string; aal?: 1 | 2; authenticatedAt?: Date; credentialEpoch?: number },
    executor?: Executor,
  ): Promise<SessionRow | undefined>;
  deleteById(id: string): Promise<void>;
  deleteByTokenHash(tokenHash: string): Promise<void>;
  /** The user's sessions issued under their current credential epoch, newest first (expiry is the caller's to judge). */
  listForUser(userId: string): Promise<SessionRow[]>;
  /** Deletes one session only if it belongs to `userId`; false when there is no such session of theirs. */
  deleteForUser(userId: string, id: string): Promise<boolean>;
  /** Revokes every session of the user except `keepSessionId`; returns how many were revoked. */
  deleteOthersForUser(userId: string, keepSessionId: string | undefined, executor?: Executor): Promise<number>;
}

export function createSessionStore(db: Database, prepare: DatabaseHandle['prepare']): SessionStore {
  const openWithEvents = prepare<OpenedSessionRow>('sessions_open_with_events', OPEN_SESSION_WITH_EVENTS_SQL);
  return {
    ...createSessionReads(db),
    ...createSessionWrites(db),
    async insertIfEpochCurrentWithEvents(session, events) {
      const rows = await openWithEvents(openSessionParams(session, events));
      return rows[0]?.id;
    },
  };
}

function createSessionReads(db: Database): Pick<SessionStore, 'findByTokenHash' | 'listForUser'> {
  // Every authenticated request runs this lookup: built once and sent as a named prepared
  // statement, so neither drizzle nor PostgreSQL parses and plans it again on each request.
  const findByTokenHashQuery = db
    .select({
      session: sessions,
      user: {
        id: users.id,
        email: users.email,
        role: users.role,
        credentialEpoch: users.credentialEpoch,
        twoFactorEnabled: sql<boolean>`(exists (select 1 from ${twoFactorCredentials} where ${twoFactorCredentials.userId} = ${users.id} and ${isNotNull(twoFactorCredentials.enabledAt)}) or exists (select 1 from ${passkeyCredentials} where ${passkeyCredentials.userId} = ${users.id}))`,
      },
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(eq(sessions.tokenHash, sql.placeholder('tokenHash')))
    .limit(1)
    .prepare('sessions_find_by_token_hash');

  return {
    async findByTokenHash(tokenHash) {
      const rows = await findByTokenHashQuery.execute({ tokenHash });
      return rows[0];
    },
    async listForUser(userId) {
      return db
        .select({ session: sessions })
        .from(sessions)
        .innerJoin(users, and(eq(users.id, sessions.userId), eq(users.credentialEpoch, sessions.credentialEpoch)))
        .where(eq(sessions.userId, userId))
        .orderBy(desc(sessions.lastSeenAt))
        .limit(100)
        .then((rows) => rows.map((row) => row.session));
    },
  };
}

/** The values of a session insert, by name: what the prepared statement's placeholders are called. */
const SESSION_INSERT_VALUES = [
  'userId',
  'credentialEpoch',
  'tokenHash',
  'aal',
  'authenticatedAt',
  'lastSeenAt',
  'absoluteExpiresAt',
  'ip',
  'userAgent',
  'createdAt',
  'secondFactorRemembered',
] as const;

/** Each value, or (for the prepared statement) the placeholder of the same name. */
type SessionInsertValues = Record<(typeof SESSION_INSERT_VALUES)[number], unknown>;

/** Timestamps as ISO text, absent optionals as their defaults. */
function insertValues(session: NewSession): SessionInsertValues {
  return {
    userId: session.userId,
    credentialEpoch: session.credentialEpoch,
    tokenHash: session.tokenHash,
    aal: session.aal,
    authenticatedAt: session.authenticatedAt.toISOString(),
    lastSeenAt: session.lastSeenAt.toISOString(),
    absoluteExpiresAt: session.absoluteExpiresAt.toISOString(),
    ip: session.ip ?? null,
    userAgent: session.userAgent ?? null,
    createdAt: (session.createdAt ?? session.authenticatedAt).toISOString(),
    secondFactorRemembered: session.secondFactorRemembered ?? false,
  };
}

/**
 * The session row selected from its user only while the user's credential epoch is still the
 * one the session carries: no row (and no insert) once a password or factor change moved it.
 */
function insertIfEpochCurrentQuery(executor: Executor, values: SessionInsertValues) {
  return executor
    .insert(sessions)
    .select(
      executor
        .select({
          id: sql`gen_random_uuid()`.as('id'),
          userId: users.id,
          tokenHash: sql`${values.tokenHash}::text`.as('token_hash'),
          aal: sql`${values.aal}::smallint`.as('aal'),
          authenticatedAt: sql`${values.authenticatedAt}::timestamptz`.as('authenticated_at'),
          credentialEpoch: users.credentialEpoch,
          lastSeenAt: sql`${values.lastSeenAt}::timestamptz`.as('last_seen_at'),
          absoluteExpiresAt: sql`${values.absoluteExpiresAt}::timestamptz`.as('absolute_expires_at'),
          ip: sql`${values.ip}::text`.as('ip'),
          userAgent: sql`${values.userAgent}::text`.as('user_agent'),
          createdAt: sql`${values.createdAt}::timestamptz`.as('created_at'),
          secondFactorRemembered: sql`${values.secondFactorRemembered}::boolean`.as('second_factor_remembered'),
        })
        .from(users)
        .where(and(eq(users.id, sql`${values.userId}::uuid`), eq(users.credentialEpoch, sql`${values.credentialEpoch}::integer`))),
    )
    .returning();
}

function createSessionWrites(db: Database): Omit<SessionStore, 'findByTokenHash' | 'listForUser' | 'insertIfEpochCurrentWithEvents'> {
  // Every sign-in inserts a session: outside a transaction it is a named statement, built once.
  const placeholders = Object.fromEntries(SESSION_INSERT_VALUES.map((name) => [name, sql.placeholder(name)])) as SessionInsertValues;
  const insertPrepared = insertIfEpochCurrentQuery(db, placeholders).prepare('sessions_insert_if_epoch_current');
  return {
    async insertIfEpochCurrent(session, executor = db) {
      const values = insertValues(session);
      const rows = executor === db ? await insertPrepared.execute(values) : await insertIfEpochCurrentQuery(executor, values);
      return rows[0];
    },
    async touch(id, lastSeenAt) {
      await db.update(sessions).set({ lastSeenAt }).where(eq(sessions.id, id));
    },
    async rotate(id, expectedEpoch, change, executor = db) {
      const rows = await executor
        .update(sessions)
        .set({
          tokenHash: change.tokenHash,
          ...(change.aal !== undefined ? { aal: change.aal } : {}),
          ...(change.authenticatedAt !== undefined ? { authenticatedAt: change.authenticatedAt } : {}),
          ...(change.credentialEpoch !== undefined ? { credentialEpoch: change.credentialEpoch } : {}),
        })
        .where(and(eq(sessions.id, id), eq(sessions.credentialEpoch, expectedEpoch)))
        .returning();
      return rows[0];
    },
    async deleteById(id) {
      await db.delete(sessions).where(eq(sessions.id, id));
    },
    async deleteByTokenHash(tokenHash) {
      await db.delete(sessions).where(eq(sessions.tokenHash, tokenHash));
    },
    async deleteForUser(userId, id) {
      const rows = await db
        .delete(sessions)
        .where(and(eq(sessions.id, id), eq(sessions.userId, userId)))
        .returning({ id: sessions.id });
      return rows.length > 0;
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
