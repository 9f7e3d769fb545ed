import type { Clock } from '../lib/clock';
import type { RandomBytes } from '../lib/random';
import { generateToken, hashToken, isWellFormedToken } from '../lib/tokens';
import type { AuthContext } from '../http/types';
import type { Database } from '../db/client';
import type { NewSession, SessionRow, SessionStore } from './session-store';

/** Writing last_seen_at on every request would make each read a write; a minute of slack is plenty for idle expiry. */
export const SESSION_TOUCH_INTERVAL_MS = 60_000;

export interface SessionPolicy {
  idleSeconds: number;
  absoluteSeconds: number;
  adminEmails: readonly string[];
}

export interface IssuedSession {
  token: string;
  session: SessionRow;
  /** Cookie lifetime: the session's remaining absolute lifetime. */
  maxAgeSeconds: number;
}

export interface ClientOrigin {
  ip: string;
  userAgent: string | undefined;
}

type Executor = Pick<Database, 'select' | 'insert' | 'update' | 'delete'>;

/** A session built but not yet stored: a capability that writes it within a larger statement stores `row`. */
export interface PendingSession {
  token: string;
  row: NewSession;
  maxAgeSeconds: number;
}

export interface SessionService {
  /** Builds a new session without storing it; `opened` turns it into an IssuedSession once stored. */
  prepare(userId: string, aal: 1 | 2, origin: ClientOrigin): PendingSession;
  opened(pending: PendingSession, sessionId: string): IssuedSession;
  issue(userId: string, aal: 1 | 2, origin: ClientOrigin, executor?: Executor): Promise<IssuedSession>;
  /** The signed-in user for a cookie token, or undefined when unknown, idle-expired or past its absolute expiry. */
  resolve(token: string): Promise<AuthContext | undefined>;
  /** New token for the same session (privilege change); optionally raises AAL or refreshes authenticated_at. */
  rotate(
    sessionId: string,
    change: { aal?: 1 | 2; authenticated?: boolean },
    executor?: Executor,
  ): Promise<IssuedSession | undefined>;
  revoke(sessionId: string): Promise<void>;
  revokeToken(token: string): Promise<void>;
  revokeOthers(userId: string, keepSessionId: string | undefined, executor?: Executor): Promise<number>;
  isFresh(session: { authenticatedAt: Date }, freshSeconds: number): boolean;
}

export function createSessionService(deps: {
  store: SessionStore;
  clock: Clock;
  randomBytes: RandomBytes;
  policy: SessionPolicy;
}): SessionService {
  const { store, clock, randomBytes, policy } = deps;

  const remainingSeconds = (session: SessionRow) =>
    Math.max(1, Math.floor((session.absoluteExpiresAt.getTime() - clock.nowMs()) / 1000));

  function prepare(userId: string, aal: 1 | 2, origin: ClientOrigin): PendingSession {
    const token = generateToken(randomBytes);
    const now = new Date(clock.nowMs());
    const row = {
      userId,
      tokenHash: hashToken(token),
      aal,
      authenticatedAt: now,
      lastSeenAt: now,
      absoluteExpiresAt: new Date(now.getTime() + policy.absoluteSeconds * 1000),
      ip: origin.ip,
      userAgent: origin.userAgent ?? null,
      createdAt: now,
    } satisfies NewSession;
    return { token, row, maxAgeSeconds: policy.absoluteSeconds };
  }

  return {
    prepare,

    opened(pending, sessionId) {
      const { row } = pending;
      const session: SessionRow = {
        id: sessionId,
        userId: row.userId,
        tokenHash: row.tokenHash,
        aal: row.aal,
        authenticatedAt: row.authenticatedAt,
        lastSeenAt: row.lastSeenAt,
        absoluteExpiresAt: row.absoluteExpiresAt,
        ip: row.ip ?? null,
        userAgent: row.userAgent ?? null,
        createdAt: row.createdAt ?? row.authenticatedAt,
      };
      return { token: pending.token, session, maxAgeSeconds: pending.maxAgeSeconds };
    },

    async issue(userId, aal, origin, executor) {
      const pending = prepare(userId, aal, origin);
      const session = await store.insert(pending.row, executor);
      return { token: pending.token, session, maxAgeSeconds: pending.maxAgeSeconds };
    },

    async resolve(token) {
      if (!isWellFormedToken(token)) return undefined;
      const found = await store.findByTokenHash(hashToken(token));
      if (!found) return undefined;
      const { session, user } = found;
      const nowMs = clock.nowMs();
      const idleDeadline = session.lastSeenAt.getTime() + policy.idleSeconds * 1000;
      if (nowMs >= session.absoluteExpiresAt.getTime() || nowMs >= idleDeadline) {
        await store.deleteById(session.id);
        return undefined;
      }
      if (nowMs - session.lastSeenAt.getTime() >= SESSION_TOUCH_INTERVAL_MS) {
        await store.touch(session.id, new Date(nowMs));
      }
      return {
        user: {
          id: user.id,
          email: user.email,
          role: user.role,
          isAdmin: user.role === 'admin' || policy.adminEmails.includes(user.email),
        },
        session: {
          id: session.id,
          aal: session.aal === 2 ? 2 : 1,
          authenticatedAt: session.authenticatedAt,
          createdAt: session.createdAt,
        },
      };
    },

    async rotate(sessionId, change, executor) {
      const token = generateToken(randomBytes);
      const rotated = await store.rotate(
        sessionId,
        {
          tokenHash: hashToken(token),
          ...(change.aal !== undefined ? { aal: change.aal } : {}),
          ...(change.authenticated ? { authenticatedAt: new Date(clock.nowMs()) } : {}),
        },
        executor,
      );
      if (!rotated) return undefined;
      return { token, session: rotated, maxAgeSeconds: remainingSeconds(rotated) };
    },

    revoke: (sessionId) => store.deleteById(sessionId),

    async revokeToken(token) {
      if (!isWellFormedToken(token)) return;
      await store.deleteByTokenHash(hashToken(token));
    },

    revokeOthers: (userId, keepSessionId, executor) => store.deleteOthersForUser(userId, keepSessionId, executor),

    isFresh(session, freshSeconds) {
      return clock.nowMs() - session.authenticatedAt.getTime() <= freshSeconds * 1000;
    },
  };
}
