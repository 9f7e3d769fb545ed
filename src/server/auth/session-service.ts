import type { Clock } from '../lib/clock';
import type { RandomBytes } from '../lib/random';
import { generateToken, hashToken, isWellFormedToken } from '../lib/tokens';
import type { AuthContext } from '../core/auth-context';
import type { RequestOrigin } from '../core/request-origin';
import type { Executor } from '../db/client';
import { AppError } from '../core/app-error';
import type { NewSession, SessionRow, SessionStore } from './session-store';
import { isAdminRole, type UserStore } from './user-store';

/**
 * Writing last_seen_at on every request would make each read a write, so the mark is refreshed
 * only once it is this old: a tenth of the idle timeout, at most a minute. An active session is
 * then never more than 10 % of its idle allowance behind, at any accepted SESSION_IDLE_SECONDS.
 */
export function sessionTouchIntervalMs(idleSeconds: number): number {
  return Math.min(60_000, Math.floor((idleSeconds * 1000) / 10));
}

export interface SessionPolicy {
  idleSeconds: number;
  absoluteSeconds: number;
}

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

export function createSessionService(deps: {
  store: SessionStore;
  users: Pick<UserStore, 'advanceCredentialEpoch'>;
  clock: Clock;
  randomBytes: RandomBytes;
  policy: SessionPolicy;
}): SessionService {
  const { store, clock, randomBytes, policy } = deps;
  const touchIntervalMs = sessionTouchIntervalMs(policy.idleSeconds);

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

  async function rotate(
    session: { id: string; credentialEpoch: number },
    change: { aal?: 1 | 2; authenticated?: boolean; credentialEpoch?: number },
    executor?: Executor,
  ): Promise<IssuedSession | undefined> {
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
        credentialEpoch: row.credentialEpoch,
        lastSeenAt: row.lastSeenAt,
        absoluteExpiresAt: row.absoluteExpiresAt,
        ip: row.ip ?? null,
        userAgent: row.userAgent ?? null,
        createdAt: row.createdAt ?? row.authenticatedAt,
        secondFactorRemembered: row.secondFactorRemembered ?? false,
      };
      return { token: pending.token, session, maxAgeSeconds: pending.maxAgeSeconds };
    },

    async issue(subject, aal, origin, executor, how) {
      const pending = prepare(subject, aal, origin, how);
      const session = await store.insertIfEpochCurrent(pending.row, executor);
      return session && { token: pending.token, session, maxAgeSeconds: pending.maxAgeSeconds };
    },

    async resolve(token) {
      if (!isWellFormedToken(token)) return undefined;
      const found = await store.findByTokenHash(hashToken(token));
      if (!found) return undefined;
      const { session, user } = found;
      const nowMs = clock.nowMs();
      const idleDeadline = session.lastSeenAt.getTime() + policy.idleSeconds * 1000;
      const expired = nowMs >= session.absoluteExpiresAt.getTime() || nowMs >= idleDeadline;
      // Issued before the password or a factor changed: void, whenever it was inserted.
      const superseded = session.credentialEpoch !== user.credentialEpoch;
      if (expired || superseded) {
        await store.deleteById(session.id);
        return undefined;
      }
      if (nowMs - session.lastSeenAt.getTime() >= touchIntervalMs) {
        await store.touch(session.id, new Date(nowMs));
      }
      return {
        user: {
          id: user.id,
          email: user.email,
          role: user.role,
          isAdmin: isAdminRole(user.role),
          twoFactorEnabled: user.twoFactorEnabled,
        },
        session: {
          id: session.id,
          aal: session.aal === 2 ? 2 : 1,
          authenticatedAt: session.authenticatedAt,
          createdAt: session.createdAt,
          credentialEpoch: session.credentialEpoch,
          secondFactorRemembered: session.secondFactorRemembered,
        },
      };
    },

    rotate,

    async afterCredentialChange(executor, auth, { passwordHash, ...sessionChange }) {
      const epoch = await deps.users.advanceCredentialEpoch(
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
      await deps.users.advanceCredentialEpoch(userId, {}, executor);
      return store.deleteOthersForUser(userId, undefined, executor);
    },

    async afterSessionlessCredentialChange(executor, userId, change) {
      const epoch = await deps.users.advanceCredentialEpoch(userId, change, executor);
      if (epoch === undefined) return undefined;
      return { sessionsRevoked: await store.deleteOthersForUser(userId, undefined, executor) };
    },

    async revokeToken(token) {
      if (!isWellFormedToken(token)) return;
      await store.deleteByTokenHash(hashToken(token));
    },

    isFresh(session, freshSeconds) {
      return clock.nowMs() - session.authenticatedAt.getTime() <= freshSeconds * 1000;
    },
  };
}
