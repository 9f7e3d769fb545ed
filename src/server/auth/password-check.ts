import type { AuditLog, SecurityEventDetails, SecurityEventType } from '../audit/service';
import { AppError } from '../core/app-error';
import type { AuthContext } from '../core/auth-context';
import { ipLimiterKey } from '../core/client-address';
import type { RequestOrigin } from '../core/request-origin';
import { hashSecret, verifySecret } from '../lib/argon2';
import type { RandomBytes } from '../lib/random';
import type { DeviceIdReader, LoginThrottle, LoginThrottleKey } from './account-service';
import { normalizePassword } from './password-policy';
import type { UserRow, UserStore } from './user-store';

export interface PasswordCheck {
  /** One argon2 verification in the client's own lane of the hash queue, known email or not. */
  check(user: UserRow | undefined, password: string, origin: RequestOrigin): Promise<boolean>;
  /**
   * A signed-in user proving the password again (re-authentication, password change): throttled
   * like a login, a failure audited under `failure.type`, INVALID_CREDENTIALS on a wrong password.
   */
  proveCurrent(
    input: { auth: AuthContext; password: string; deviceIdFor: DeviceIdReader },
    origin: RequestOrigin,
    failure: { type: SecurityEventType; details?: SecurityEventDetails },
  ): Promise<UserRow>;
}

export function createPasswordCheck(deps: {
  users: Pick<UserStore, 'findById'>;
  audit: AuditLog;
  randomBytes: RandomBytes;
  loginThrottle: LoginThrottle;
}): PasswordCheck {
  const { users, audit, loginThrottle } = deps;

  // Unknown emails are verified against this hash so they cost exactly one argon2id
  // verification, like known ones: response time must not reveal which emails exist.
  let dummyHash: Promise<string> | undefined;
  const getDummyHash = () => (dummyHash ??= hashSecret(deps.randomBytes(24).toString('base64')));

  async function check(user: UserRow | undefined, password: string, origin: RequestOrigin): Promise<boolean> {
    const candidate = normalizePassword(password);
    const lane = ipLimiterKey(origin.ip);
    if (!user) {
      await verifySecret(await getDummyHash(), candidate, lane);
      return false;
    }
    return verifySecret(user.passwordHash, candidate, lane);
  }

  return {
    check,
    async proveCurrent(input, origin, failure) {
      const { auth } = input;
      const user = await users.findById(auth.user.id);
      const key: LoginThrottleKey = {
        ip: origin.ip,
        email: auth.user.email,
        deviceId: input.deviceIdFor(auth.user.email, auth.session.credentialEpoch),
      };
      await loginThrottle.beforeAttempt(key, origin);
      if (!user || !(await check(user, input.password, origin))) {
        await audit.record(failure.type, { userId: auth.user.id, origin: origin, ...(failure.details ? { details: failure.details } : {}) });
        throw new AppError('INVALID_CREDENTIALS');
      }
      await loginThrottle.onSuccess(key);
      return user;
    },
  };
}
