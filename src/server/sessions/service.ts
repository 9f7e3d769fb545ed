import type { AuditLog, EventOrigin } from '../audit/service';
import type { SessionPolicy } from '../auth/session-service';
import type { SessionRow, SessionStore } from '../auth/session-store';
import { AppError } from '../core/app-error';
import type { AuthContext } from '../core/auth-context';
import type { Clock } from '../lib/clock';
import { hashToken, isWellFormedToken } from '../lib/tokens';
import type { RememberedDeviceRow, RememberedDeviceStore } from './device-store';
import type { RememberedDeviceService } from './remembered-devices';

export interface SessionsOverview {
  sessions: Array<SessionRow & { current: boolean }>;
  rememberedDevices: Array<RememberedDeviceRow & { current: boolean }>;
}

/**
 * What a signed-in user can see and end of their own sign-ins. Ids are the rows' random UUIDs,
 * never a token or its hash; another user's id answers NOT_FOUND exactly like an unknown one,
 * so ids cannot be probed.
 */
export interface SessionsService {
  overview(auth: AuthContext, rememberToken: string | undefined): Promise<SessionsOverview>;
  /** Ends one of the user's sessions; `current` when it was the caller's own. */
  revoke(auth: AuthContext, id: string, origin: EventOrigin): Promise<{ current: boolean }>;
  /** Ends every other session and forgets every other remembered browser of the user. */
  revokeOthers(auth: AuthContext, rememberToken: string | undefined, origin: EventOrigin): Promise<{ sessionsRevoked: number; devicesForgotten: number }>;
  /** Forgets one remembered browser of the user; `current` when it was the caller's own. */
  forgetDevice(auth: AuthContext, id: string, rememberToken: string | undefined, origin: EventOrigin): Promise<{ current: boolean }>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function createSessionsService(deps: {
  sessionStore: SessionStore;
  deviceStore: RememberedDeviceStore;
  rememberedDevices: RememberedDeviceService;
  audit: AuditLog;
  clock: Clock;
  policy: SessionPolicy;
}): SessionsService {
  const { sessionStore, deviceStore, audit, clock, policy } = deps;

  /** Idle- or absolute-expired rows linger until their next lookup deletes them: not shown as live. */
  const isLive = (session: SessionRow) => {
    const nowMs = clock.nowMs();
    return nowMs < session.absoluteExpiresAt.getTime() && nowMs < session.lastSeenAt.getTime() + policy.idleSeconds * 1000;
  };

  const notFound = () => new AppError('NOT_FOUND', { detail: 'You have no such session or remembered browser' });
  const rememberHash = (token: string | undefined) => (token && isWellFormedToken(token) ? hashToken(token) : undefined);

  return {
    async overview(auth, rememberToken) {
      const [sessions, rememberedDevices] = await Promise.all([
        sessionStore.listForUser(auth.user.id),
        deps.rememberedDevices.list(auth.user.id, rememberToken),
      ]);
      return {
        sessions: sessions.filter(isLive).map((session) => ({ ...session, current: session.id === auth.session.id })),
        rememberedDevices,
      };
    },

    async revoke(auth, id, origin) {
      if (!UUID.test(id) || !(await sessionStore.deleteForUser(auth.user.id, id))) throw notFound();
      const current = id === auth.session.id;
      await audit.record('sessions.revoked', { userId: auth.user.id, origin, details: { via: current ? 'current' : 'other' } });
      return { current };
    },

    async revokeOthers(auth, rememberToken, origin) {
      const sessionsRevoked = await sessionStore.deleteOthersForUser(auth.user.id, auth.session.id);
      const devicesForgotten = await deviceStore.deleteOthersForUser(auth.user.id, rememberHash(rememberToken));
      await audit.record('sessions.revoked_others', {
        userId: auth.user.id,
        origin,
        details: { sessions_revoked: sessionsRevoked, count: devicesForgotten },
      });
      return { sessionsRevoked, devicesForgotten };
    },

    async forgetDevice(auth, id, rememberToken, origin) {
      const device = UUID.test(id) ? await deviceStore.findById(id) : undefined;
      if (!device || device.userId !== auth.user.id || !(await deviceStore.deleteForUser(auth.user.id, id))) throw notFound();
      const current = device.tokenHash === rememberHash(rememberToken);
      await audit.record('sessions.remembered_device_revoked', { userId: auth.user.id, origin, details: { via: current ? 'current' : 'other' } });
      return { current };
    },
  };
}
