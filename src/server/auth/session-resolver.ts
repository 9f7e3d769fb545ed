import type { Clock } from '../lib/clock';
import { hashToken, isWellFormedToken } from '../lib/tokens';
import type { AuthContext } from '../core/auth-context';
import type { SessionCache } from './session-cache';
import type { SessionStore, SessionWithUser } from './session-store';
import { isAdminRole } from './user-store';

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

export type ResolveSession = (token: string) => Promise<AuthContext | undefined>;

/**
 * The session check every authenticated request makes: cookie token → the signed-in user, or
 * undefined when the token is unknown, idle-expired, past its absolute expiry, or issued under
 * a credential epoch that has since moved. A cached lookup (session-cache.ts) is judged by the
 * same expiry rules; one that looks expired is read again, because another instance may have
 * seen the session active since this one cached it.
 */
export function createSessionResolver(deps: {
  store: Pick<SessionStore, 'findByTokenHash' | 'deleteById' | 'touch'>;
  cache: SessionCache;
  clock: Clock;
  policy: SessionPolicy;
}): ResolveSession {
  const { store, cache, clock, policy } = deps;
  const touchIntervalMs = sessionTouchIntervalMs(policy.idleSeconds);

  const isLive = ({ session, user }: SessionWithUser, nowMs: number) =>
    nowMs < session.absoluteExpiresAt.getTime() &&
    nowMs < session.lastSeenAt.getTime() + policy.idleSeconds * 1000 &&
    // Issued before the password or a factor changed: void, whenever it was inserted.
    session.credentialEpoch === user.credentialEpoch;

  async function readFromDatabase(tokenHash: string): Promise<SessionWithUser | undefined> {
    const ticket = cache.begin();
    const found = await store.findByTokenHash(tokenHash);
    if (!found) return undefined;
    if (!isLive(found, clock.nowMs())) {
      await store.deleteById(found.session.id);
      return undefined;
    }
    cache.store(ticket, tokenHash, found);
    return found;
  }

  async function touchIfDue(found: SessionWithUser, nowMs: number) {
    if (nowMs - found.session.lastSeenAt.getTime() < touchIntervalMs) return;
    const lastSeenAt = new Date(nowMs);
    await store.touch(found.session.id, lastSeenAt);
    // The cached row is this very object: later hits see the new mark without a read.
    found.session.lastSeenAt = lastSeenAt;
  }

  return async (token) => {
    if (!isWellFormedToken(token)) return undefined;
    const tokenHash = hashToken(token);
    let found = cache.get(tokenHash);
    if (found && !isLive(found, clock.nowMs())) {
      cache.forget(tokenHash);
      found = undefined;
    }
    found ??= await readFromDatabase(tokenHash);
    if (!found) return undefined;
    await touchIfDue(found, clock.nowMs());
    return authContextOf(found);
  };
}

function authContextOf({ session, user }: SessionWithUser): AuthContext {
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
}
