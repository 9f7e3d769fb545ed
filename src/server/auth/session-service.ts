import type { NewSecurityEvent } from '../audit/store';
import type { Clock } from '../lib/clock';
import type { RandomBytes } from '../lib/random';
import { generateToken, hashToken, isWellFormedToken } from '../lib/tokens';
import type { AuthContext } from '../core/auth-context';
import type { RequestOrigin } from '../core/request-origin';
import type { Executor } from '../db/client';
import { AppError } from '../core/app-error';
import type { NewSession, SessionRow, SessionStore } from './session-store';
import type { UserStore } from './user-store';
import type { ResolveSession, SessionPolicy } from './session-resolver';

export { sessionTouchIntervalMs, type SessionPolicy } from './session-resolver';

export interface IssuedSession {
  token: string;
  session: SessionRow;
  /** Cookie lifetime: the session's remaining absolute lifetime. */
  maxAgeSeconds: number;
}

/** A session built but not yet stored: a capability that writes it within a larger statement stores `row`. */
export interface PendingSession {
  token: string;
  row: NewSession;
  maxAgeSeconds: number;
}

/** The user a session is issued for, as read before the credential was checked. */
export interface SessionSubject {
  id: string;
  credentialEpoch: number;
}

/** How the session's AAL was reached, when it matters to a guard. */
export interface SessionIssuance {
  /** AAL2 through a remembered device rather than a code typed at this sign-in. */
  secondFactorRemembered?: boolean;
}

export interface SessionService {
  /** Builds a new session without storing it; `opened` turns it into an IssuedSession once stored. */
  prepare(subject: SessionSubject, aal: 1 | 2, origin: RequestOrigin, how?: SessionIssuance): PendingSession;
  opened(pending: PendingSession, sessionId: string): IssuedSession;
  /**
   * Opens a session only while `subject.credentialEpoch` is still the user's epoch; undefined
   * when a password or factor change moved it after the caller read the user.
   */
  issue(
    subject: SessionSubject,
    aal: 1 | 2,
    origin: RequestOrigin,
    executor?: Executor,
    how?: SessionIssuance,
  ): Promise<IssuedSession | undefined>;
  /**
   * issue, with the sign-in's security events (AuditLog.toRows) written in the same statement
   * and only if the session is stored. Never inside a transaction: a sign-in is not part of one.
   */
  issueWithEvents(
    subject: SessionSubject,
    aal: 1 | 2,
    origin: RequestOrigin,
    events: readonly NewSecurityEvent[],
    how?: SessionIssuance,
  ): Promise<IssuedSession | undefined>;
  /**
   * The signed-in user for a cookie token, or undefined when unknown, idle-expired, past its
   * absolute expiry, or issued under a credential epoch that has since moved.
   */
  resolve(token: string): Promise<AuthContext | undefined>;
  /**
   * New token for the same session (privilege change); optionally raises AAL or refreshes
   * authenticated_at. Undefined when the session is gone or belongs to an older credential epoch.
   */
  rotate(
    session: { id: string; credentialEpoch: number },
    change: { aal?: 1 | 2; authenticated?: boolean },
    executor?: Executor,
  ): Promise<IssuedSession | undefined>;
  /**
   * The common end of every password or factor change, inside the change's transaction (ASVS
   * 5.0 7.4.3): advances the user's credential epoch (voiding every other session, temp token and
   * device cookie), deletes the other sessions and moves this one to the new epoch with a new
   * token. UNAUTHENTICATED when a concurrent change already voided this session.
   */
  afterCredentialChange(
    executor: Executor,
    auth: AuthContext,
    change: { aal?: 1 | 2; authenticated?: boolean; passwordHash?: string },
  ): Promise<{ issued: IssuedSession; sessionsRevoked: number }>;
  /** Admin recovery: advances the epoch and deletes every session of the user. */
  endAllForUser(executor: Executor, userId: string): Promise<number>;
  /**
   * A credential change made without a session (password reset): sets the new hash and advances
   * the epoch only while it is still `expectedEpoch`, then deletes every session of the user.
   * Undefined (nothing changed) when the epoch moved meanwhile.
   */
  afterSessionlessCredentialChange(
    executor: Executor,
    userId: string,
    change: { expectedEpoch: number; passwordHash: string },
  ): Promise<{ sessionsRevoked: number } | undefined>;
  revokeToken(token: string): Promise<void>;
  isFresh(session: { authenticatedAt: Date }, freshSeconds: number): boolean;
}

export interface SessionServiceDeps {
  store: SessionStore;
  users: Pick<UserStore, 'advanceCredentialEpoch'>;
  clock: Clock;
  randomBytes: RandomBytes;
  policy: SessionPolicy;
  /** The session check, with its cache (session-resolver.ts). */
  resolve: ResolveSession;
}

export function createSessionService(deps: SessionServiceDeps): SessionService {
  const issuing = createSessionIssuing(deps);
  return {
    ...issuing,
    ...createCredentialChangeEnds(deps, issuing.rotate),
    resolve: deps.resolve,
    async revokeToken(token) {
      if (!isWellFormedToken(token)) return;
      await deps.store.deleteByTokenHash(hashToken(token));
    },
    isFresh(session, freshSeconds) {
      return deps.clock.nowMs() - session.authenticatedAt.getTime() <= freshSeconds * 1000;
    },
  };
}

/** rotate() as the credential-change ends use it: they also move the session to the new epoch. */
type RotateSession = (
  session: { id: string; credentialEpoch: number },
  change: { aal?: 1 | 2; authenticated?: boolean; credentialEpoch?: number },
  executor?: Executor,
) => Promise<IssuedSession | undefined>;

/** Making sessions: a new one (prepared for a larger statement, or stored at once) and a new token for one. */
function createSessionIssuing(
  deps: SessionServiceDeps,
): Pick<SessionService, 'prepare' | 'opened' | 'issue' | 'issueWithEvents'> & { rotate: RotateSession } {
  const { store, clock, randomBytes, policy } = deps;

  const remainingSeconds = (session: SessionRow) =>
    Math.max(1, Math.floor((session.absoluteExpiresAt.getTime() - clock.nowMs()) / 1000));

  function prepare(subject: SessionSubject, aal: 1 | 2, origin: RequestOrigin, how: SessionIssuance = {}): PendingSession {
    const token = generateToken(randomBytes);
    const now = new Date(clock.nowMs());
    const row = {
      userId: subject.id,
      tokenHash: hashToken(token),
      aal,
      authenticatedAt: now,
      credentialEpoch: subject.credentialEpoch,
      lastSeenAt: now,
      absoluteExpiresAt: new Date(now.getTime() + policy.absoluteSeconds * 1000),
      ip: origin.ip,
      userAgent: origin.userAgent ?? null,
      createdAt: now,
      secondFactorRemembered: how.secondFactorRemembered === true,
    } satisfies NewSession;
    return { token, row, maxAgeSeconds: policy.absoluteSeconds };
  }

  const rotate: RotateSession = async (session, change, executor) => {
    const token = generateToken(randomBytes);
    const rotated = await store.rotate(
      session.id,
      session.credentialEpoch,
      {
        tokenHash: hashToken(token),
        ...(change.aal !== undefined ? { aal: change.aal } : {}),
        ...(change.authenticated ? { authenticatedAt: new Date(clock.nowMs()) } : {}),
        ...(change.credentialEpoch !== undefined ? { credentialEpoch: change.credentialEpoch } : {}),
      },
      executor,
    );
    if (!rotated) return undefined;
    return { token, session: rotated, maxAgeSeconds: remainingSeconds(rotated) };
  };

  return {
    prepare,
    opened: (pending, sessionId) => ({ token: pending.token, session: storedRow(pending.row, sessionId), maxAgeSeconds: pending.maxAgeSeconds }),
    async issue(subject, aal, origin, executor, how) {
      const pending = prepare(subject, aal, origin, how);
      const session = await store.insertIfEpochCurrent(pending.row, executor);
      return session && { token: pending.token, session, maxAgeSeconds: pending.maxAgeSeconds };
    },
    async issueWithEvents(subject, aal, origin, events, how) {
      const pending = prepare(subject, aal, origin, how);
      const sessionId = await store.insertIfEpochCurrentWithEvents(pending.row, events);
      return sessionId === undefined ? undefined : { token: pending.token, session: storedRow(pending.row, sessionId), maxAgeSeconds: pending.maxAgeSeconds };
    },
    rotate,
  };
}

/** The row as the database holds it once a prepared session was inserted under `id`. */
function storedRow(row: NewSession, id: string): SessionRow {
  return {
    id,
    userId: row.userId,
    tokenHash: row.tokenHash,
    aal: row.aal,
    authenticatedAt: row.authenticatedAt,
    credentialEpoch: row.credentialEpoch,
    lastSeenAt: row.lastSeenAt,
    absoluteExpiresAt: row.absoluteExpiresAt,
    ip: row.ip ?? null,
    userAgent: row.userAgent ?? null,
    createdAt: row.createdAt ?? row.authenticatedAt,
    secondFactorRemembered: row.secondFactorRemembered ?? false,
  };
}

/** The common ends of a credential change: the epoch moves on and the other sessions go. */
function createCredentialChangeEnds(
  deps: SessionServiceDeps,
  rotate: RotateSession,
): Pick<SessionService, 'afterCredentialChange' | 'endAllForUser' | 'afterSessionlessCredentialChange'> {
  const { store, users } = deps;
  return {
    async afterCredentialChange(executor, auth, { passwordHash, ...sessionChange }) {
      const epoch = await users.advanceCredentialEpoch(
        auth.user.id,
        { expectedEpoch: auth.session.credentialEpoch, ...(passwordHash !== undefined ? { passwordHash } : {}) },
        executor,
      );
      if (epoch === undefined) throw new AppError('UNAUTHENTICATED');
      const sessionsRevoked = await store.deleteOthersForUser(auth.user.id, auth.session.id, executor);
      // The password hash belongs to the user row; the session only takes its new AAL, freshness and epoch.
      const issued = await rotate(auth.session, { ...sessionChange, credentialEpoch: epoch }, executor);
      if (!issued) throw new AppError('UNAUTHENTICATED');
      return { issued, sessionsRevoked };
    },

    async endAllForUser(executor, userId) {
      await users.advanceCredentialEpoch(userId, {}, executor);
      return store.deleteOthersForUser(userId, undefined, executor);
    },

    async afterSessionlessCredentialChange(executor, userId, change) {
      const epoch = await users.advanceCredentialEpoch(userId, change, executor);
      if (epoch === undefined) return undefined;
      return { sessionsRevoked: await store.deleteOthersForUser(userId, undefined, executor) };
    },
  };
}
