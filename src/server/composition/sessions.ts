import type { AuditLog } from '../audit/service';
import { createSessionCache } from '../auth/session-cache';
import { createSessionResolver } from '../auth/session-resolver';
import { fenceSessionStore, fenceUserStore } from '../auth/session-revocation';
import { createSessionService } from '../auth/session-service';
import { createSessionStore, type SessionStore } from '../auth/session-store';
import { createUserStore } from '../auth/user-store';
import type { Foundations } from '../services';
import type { RememberedDeviceStore } from '../sessions/device-store';
import { createRememberedDeviceService } from '../sessions/remembered-devices';
import { createSessionsService } from '../sessions/service';

/** Remembered browsers and the signed-in user's list of their own sessions. */
export function createSessionCapabilities(f: Foundations, audit: AuditLog, sessionStore: SessionStore, deviceStore: RememberedDeviceStore) {
  const { config, clock, randomBytes } = f;
  const rememberedDevices = createRememberedDeviceService({
    store: deviceStore,
    audit,
    clock,
    randomBytes,
    policy: { days: config.twoFactor.rememberDays, refuseAdmins: config.adminRequire2fa },
  });
  const sessionsList = createSessionsService({ sessionStore, deviceStore, rememberedDevices, audit, clock, policy: config.session });
  return { rememberedDevices, sessionsList };
}

/**
 * The session check and the stores it depends on. Both stores are fenced: each write that can
 * end a session, and the end of every transaction, empties the session cache, so the instance
 * that revoked refuses at once and the others within SESSION_CACHE_MS (auth/session-cache.ts).
 */
export function createSessionCore(f: Foundations) {
  const { config, database, clock, randomBytes } = f;
  const cache = createSessionCache({ ttlMs: config.session.cacheMs });
  database.onTransactionEnd(() => cache.revoked());
  const users = fenceUserStore(createUserStore(database.db), cache);
  const sessionStore = fenceSessionStore(
    createSessionStore(database.db, (name, text) => database.prepare(name, text)),
    cache,
  );
  const resolve = createSessionResolver({ store: sessionStore, cache, clock, policy: config.session });
  const sessions = createSessionService({ store: sessionStore, users, clock, randomBytes, policy: config.session, resolve });
  return { users, sessionStore, sessions };
}

