import { AppError } from '../http/app-error';
import type { AuditLog, EventOrigin, SecurityEventDetails, SecurityEventType } from '../audit/service';
import { hashSecret, verifySecret } from '../lib/argon2';
import type { RandomBytes } from '../lib/random';
import type { Telemetry } from '../lib/telemetry';
import type { Database } from '../db/client';
import { checkPasswordPolicy, normalizePassword } from './password-policy';
import type { ClientOrigin, IssuedSession, SessionService } from './session-service';
import type { Role, UserRow, UserStore } from './user-store';

/** The second factor, as the password step sees it (implemented by the twofactor capability). */
export interface SecondFactorGate {
  isRequired(userId: string): Promise<boolean>;
  startChallenge(userId: string, origin: ClientOrigin): Promise<{ tempToken: string; expiresInSeconds: number }>;
}

/**
 * Password-guessing throttle (implemented by the limits capability). `beforeAttempt` takes a
 * point before the password is checked and throws AppError when over a limit; `onSuccess`
 * gives points back, so only failures accumulate.
 */
export interface LoginThrottle {
  beforeAttempt(key: LoginThrottleKey, origin: EventOrigin): Promise<void>;
  onSuccess(key: LoginThrottleKey): Promise<void>;
}

export interface LoginThrottleKey {
  ip: string;
  email: string;
  /** Set when the request carries a device cookie proving an earlier full sign-in to this account. */
  deviceId: string | undefined;
}

export type RequestOrigin = ClientOrigin & { requestId: string };

export type LoginOutcome =
  | { kind: 'session'; user: UserRow; issued: IssuedSession }
  | { kind: 'second_factor'; user: UserRow; tempToken: string; expiresInSeconds: number };

export interface AccountService {
  register(input: { email: string; password: string; role?: Role }, origin: RequestOrigin): Promise<UserRow>;
  login(
    input: { email: string; password: string; deviceId: string | undefined; previousSessionToken: string | undefined },
    origin: RequestOrigin,
  ): Promise<LoginOutcome>;
  logout(sessionToken: string | undefined, userId: string | undefined, origin: RequestOrigin): Promise<void>;
  reauthenticate(
    input: { userId: string; sessionId: string; password: string; deviceId: string | undefined },
    origin: RequestOrigin,
  ): Promise<IssuedSession>;
  changePassword(
    input: { userId: string; sessionId: string; currentPassword: string; newPassword: string; deviceId: string | undefined },
    origin: RequestOrigin,
  ): Promise<{ issued: IssuedSession; sessionsRevoked: number }>;
  verifyPassword(userId: string, password: string): Promise<boolean>;
}

export function createAccountService(deps: {
  users: UserStore;
  sessions: SessionService;
  audit: AuditLog;
  telemetry: Telemetry;
  randomBytes: RandomBytes;
  /** Absent only in a build without the twofactor capability: then no login asks for a second factor. */
  secondFactor?: SecondFactorGate;
  /** Absent only in a build without the limits capability. */
  loginThrottle?: LoginThrottle;
  /** Runs `work` in one transaction (the database handle's runner). */
  transaction: <T>(work: (tx: Database) => Promise<T>) => Promise<T>;
}): AccountService {
  const { users, sessions, audit, telemetry } = deps;
  const secondFactor: SecondFactorGate = deps.secondFactor ?? {
    isRequired: async () => false,
    startChallenge: async () => {
      throw new Error('no second factor is configured');
    },
  };
  const loginThrottle: LoginThrottle = deps.loginThrottle ?? {
    beforeAttempt: async () => undefined,
    onSuccess: async () => undefined,
  };

  // Unknown emails are verified against this hash so they cost exactly one argon2id
  // verification, like known ones: response time must not reveal which emails exist.
  let dummyHash: Promise<string> | undefined;
  const getDummyHash = () => (dummyHash ??= hashSecret(deps.randomBytes(24).toString('base64')));

  const toEventOrigin = (origin: RequestOrigin): EventOrigin => ({
    ip: origin.ip,
    userAgent: origin.userAgent,
    requestId: origin.requestId,
  });

  async function checkPassword(user: UserRow | undefined, password: string): Promise<boolean> {
    const candidate = normalizePassword(password);
    if (!user) {
      await verifySecret(await getDummyHash(), candidate);
      return false;
    }
    return verifySecret(user.passwordHash, candidate);
  }

  /**
   * A signed-in user proving the password again (re-authentication, password change): throttled
   * like a login, a failure audited under `failure.type`, INVALID_CREDENTIALS on a wrong password.
   */
  async function proveCurrentPassword(
    input: { userId: string; user: UserRow | undefined; password: string; deviceId: string | undefined },
    origin: RequestOrigin,
    failure: { type: SecurityEventType; details?: SecurityEventDetails },
  ): Promise<UserRow> {
    const key: LoginThrottleKey = { ip: origin.ip, email: input.user?.email ?? input.userId, deviceId: input.deviceId };
    await loginThrottle.beforeAttempt(key, toEventOrigin(origin));
    if (!input.user || !(await checkPassword(input.user, input.password))) {
      await audit.record(failure.type, { userId: input.userId, origin: toEventOrigin(origin), ...(failure.details ? { details: failure.details } : {}) });
      throw new AppError('INVALID_CREDENTIALS');
    }
    await loginThrottle.onSuccess(key);
    return input.user;
  }

  return {
    async register(input, origin) {
      const policy = checkPasswordPolicy(input.password, { email: input.email });
      if (!policy.ok) throw new AppError(policy.code, { detail: policy.detail });
      const passwordHash = await hashSecret(normalizePassword(input.password));
      const user = await users.insert({ email: input.email, passwordHash, role: input.role ?? 'user' });
      if (!user) throw new AppError('EMAIL_ALREADY_REGISTERED');
      await audit.record('auth.registered', { userId: user.id, origin: toEventOrigin(origin) });
      telemetry.emit('auth.registered', { user_id: user.id, request_id: origin.requestId });
      return user;
    },

    async login(input, origin) {
      const key: LoginThrottleKey = { ip: origin.ip, email: input.email, deviceId: input.deviceId };
      await loginThrottle.beforeAttempt(key, toEventOrigin(origin));
      const user = await users.findByEmail(input.email);
      const passwordOk = await checkPassword(user, input.password);
      if (!user || !passwordOk) {
        await audit.record('auth.login.failed', {
          userId: user?.id ?? null,
          origin: toEventOrigin(origin),
          details: { reason: 'invalid_credentials' },
        });
        telemetry.emit('auth.login', { outcome: 'failure', request_id: origin.requestId });
        throw new AppError('INVALID_CREDENTIALS');
      }
      await loginThrottle.onSuccess(key);
      // A session cookie sent along with a login is replaced, never upgraded (session fixation).
      if (input.previousSessionToken) await sessions.revokeToken(input.previousSessionToken);

      if (await secondFactor.isRequired(user.id)) {
        const challenge = await secondFactor.startChallenge(user.id, origin);
        await audit.record('auth.login.succeeded', {
          userId: user.id,
          origin: toEventOrigin(origin),
          details: { aal: 1, reason: 'second_factor_required' },
        });
        telemetry.emit('auth.login', { outcome: 'second_factor_required', user_id: user.id, request_id: origin.requestId });
        return { kind: 'second_factor', user, ...challenge };
      }
      const issued = await sessions.issue(user.id, 1, origin);
      await audit.record('auth.login.succeeded', { userId: user.id, origin: toEventOrigin(origin), details: { aal: 1 } });
      telemetry.emit('auth.login', { outcome: 'success', user_id: user.id, aal: 1, request_id: origin.requestId });
      return { kind: 'session', user, issued };
    },

    async logout(sessionToken, userId, origin) {
      if (sessionToken) await sessions.revokeToken(sessionToken);
      if (userId) {
        await audit.record('auth.logout', { userId, origin: toEventOrigin(origin) });
        telemetry.emit('auth.logout', { user_id: userId, request_id: origin.requestId });
      }
    },

    async reauthenticate(input, origin) {
      const user = await proveCurrentPassword({ ...input, user: await users.findById(input.userId) }, origin, {
        type: 'auth.reauthentication.failed',
      });
      const issued = await sessions.rotate(input.sessionId, { authenticated: true });
      if (!issued) throw new AppError('UNAUTHENTICATED');
      await audit.record('auth.reauthenticated', { userId: user.id, origin: toEventOrigin(origin) });
      return issued;
    },

    /**
     * The current password proves the session holder is the owner (a stolen cookie alone is not
     * enough); the new hash, the revocation of every other session and the token rotation
     * commit together, so a thief's session ends with the old password (ASVS 5.0 7.4.3).
     */
    async changePassword(input, origin) {
      const user = await users.findById(input.userId);
      if (!user) throw new AppError('UNAUTHENTICATED');
      await proveCurrentPassword({ ...input, user, password: input.currentPassword }, origin, {
        type: 'auth.password_change.failed',
        details: { reason: 'invalid_credentials' },
      });
      const policy = checkPasswordPolicy(input.newPassword, { email: user.email });
      if (!policy.ok) throw new AppError(policy.code, { detail: policy.detail });
      const passwordHash = await hashSecret(normalizePassword(input.newPassword));
      return deps.transaction(async (tx) => {
        await users.setPasswordHash(user.id, passwordHash, tx);
        const sessionsRevoked = await sessions.revokeOthers(user.id, input.sessionId, tx);
        const issued = await sessions.rotate(input.sessionId, { authenticated: true }, tx);
        if (!issued) throw new AppError('UNAUTHENTICATED');
        await audit.record('auth.password_changed', { userId: user.id, origin: toEventOrigin(origin), details: { sessions_revoked: sessionsRevoked } }, tx);
        return { issued, sessionsRevoked };
      });
    },

    async verifyPassword(userId, password) {
      return checkPassword(await users.findById(userId), password);
    },
  };
}
