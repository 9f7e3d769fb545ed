import type { AuditLog, EventOrigin } from '../audit/service';
import type { SessionSubject } from '../auth/session-service';
import type { Clock } from '../lib/clock';
import type { RandomBytes } from '../lib/random';
import { generateToken, hashToken, isWellFormedToken } from '../lib/tokens';
import type { RememberedDeviceRow, RememberedDeviceStore } from './device-store';

const DAY_SECONDS = 24 * 3600;

export interface RememberedDevicePolicy {
  /** TWO_FACTOR_REMEMBER_DAYS; 0 turns the feature off (nothing is remembered or honoured). */
  days: number;
  /**
   * ADMIN_REQUIRE_2FA: an admin must type a second factor at every sign-in, so an admin's
   * remembered browser is not honoured (the admin guard also refuses such sessions).
   */
  refuseAdmins: boolean;
}

export interface RememberedDevice {
  token: string;
  maxAgeSeconds: number;
  expiresAt: Date;
}

export interface RememberedDeviceService {
  /** Days a browser is remembered for; 0 when the feature is off. */
  readonly days: number;
  /**
   * The password step's question: may this browser skip the second factor for this user? Only
   * when the token was remembered for this user under the credential epoch read with the user,
   * has not expired and the user is not an admin who must always type a code.
   */
  honours(token: string | undefined, user: SessionSubject & { role: string }): Promise<boolean>;
  /**
   * Remembers this browser after a passed second factor (undefined when the feature is off or a
   * credential change committed meanwhile). A token the browser already held is forgotten.
   */
  remember(subject: SessionSubject, origin: EventOrigin, previousToken: string | undefined): Promise<RememberedDevice | undefined>;
  /** The user's live devices; `current` marks the one whose token the caller holds. */
  list(userId: string, currentToken: string | undefined): Promise<Array<RememberedDeviceRow & { current: boolean }>>;
}

export function createRememberedDeviceService(deps: {
  store: RememberedDeviceStore;
  audit: AuditLog;
  clock: Clock;
  randomBytes: RandomBytes;
  policy: RememberedDevicePolicy;
}): RememberedDeviceService {
  const { store, clock, policy } = deps;
  const now = () => new Date(clock.nowMs());
  const hashOf = (token: string | undefined) => (token && isWellFormedToken(token) ? hashToken(token) : undefined);

  return {
    days: policy.days,

    async honours(token, user) {
      if (policy.days === 0) return false;
      if (policy.refuseAdmins && user.role === 'admin') return false;
      const tokenHash = hashOf(token);
      const device = tokenHash ? await store.findByTokenHash(tokenHash) : undefined;
      if (!device || device.userId !== user.id) return false;
      // Epochs only grow, so a device from an older one, like an expired one, is of no further use.
      // A newer one means this login read the user before a change: refused, but kept.
      if (device.expiresAt.getTime() <= clock.nowMs() || device.credentialEpoch < user.credentialEpoch) {
        await store.deleteById(device.id);
        return false;
      }
      if (device.credentialEpoch !== user.credentialEpoch) return false;
      await store.touch(device.id, now());
      return true;
    },

    async remember(subject, origin, previousToken) {
      if (policy.days === 0) return undefined;
      const previousHash = hashOf(previousToken);
      if (previousHash) await store.deleteByTokenHash(previousHash);
      await store.deleteDeadForUser(subject.id, now());
      const token = generateToken(deps.randomBytes);
      const maxAgeSeconds = policy.days * DAY_SECONDS;
      const createdAt = now();
      const expiresAt = new Date(createdAt.getTime() + maxAgeSeconds * 1000);
      const stored = await store.insertIfEpochCurrent({
        userId: subject.id,
        tokenHash: hashToken(token),
        credentialEpoch: subject.credentialEpoch,
        createdAt,
        expiresAt,
        ip: origin.ip ?? null,
        userAgent: origin.userAgent ?? null,
      });
      if (!stored) return undefined;
      await deps.audit.record('sessions.device_remembered', { userId: subject.id, origin, details: { days: policy.days } });
      return { token, maxAgeSeconds, expiresAt };
    },

    async list(userId, currentToken) {
      const currentHash = hashOf(currentToken);
      const devices = await store.listLiveForUser(userId, now());
      return devices.map((device) => ({ ...device, current: device.tokenHash === currentHash }));
    },
  };
}
