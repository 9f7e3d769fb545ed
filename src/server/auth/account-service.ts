import { AppError } from '../core/app-error';
import type { AuditLog } from '../audit/service';
import type { RequestOrigin } from '../core/request-origin';
import { ipLimiterKey } from '../core/client-address';
import { hashSecret } from '../lib/argon2';
import type { RandomBytes } from '../lib/random';
import type { Telemetry } from '../lib/telemetry';
import type { Database } from '../db/client';
import { createLogin } from './login';
import { createPasswordCheck } from './password-check';
import { checkPasswordPolicy, normalizePassword } from './password-policy';
import type { AuthContext } from '../core/auth-context';
import type { IssuedSession, SessionService, SessionSubject } from './session-service';
import type { Role, UserRow, UserStore } from './user-store';

/**
 * The account a sign-in names, as the password step reads it: the user, and whether it owes a
 * second factor and which methods it has (the temp token's answer names them, so the sign-in page
 * offers only those).
 */
export interface SignInAccount {
  user: UserRow;
  secondFactor: { required: boolean; methods: string[] };
}

/** Implemented where every kind of second factor is known (the passkeys capability's factor store). */
export interface SignInAccounts {
  /**
   * The user and its second factors in one statement, so both come from one snapshot: every
   * change of factors moves the user's credential epoch, and whatever the password opens (a
   * session, a temp token) is stored only under the epoch read here — a sign-in that raced a
   * factor change stores nothing and starts over.
   */
  findByEmail(email: string): Promise<SignInAccount | undefined>;
}

/** The second factor, as the password step sees it (implemented by the twofactor capability). */
export interface SecondFactorGate {
  /**
   * Issues a temp token bound to `subject.credentialEpoch`; undefined (nothing stored) when a
   * password or factor change moved the epoch after the caller read the user.
   */
  startChallenge(subject: SessionSubject, origin: RequestOrigin): Promise<{ tempToken: string; expiresInSeconds: number } | undefined>;
}

/**
 * "Remember this browser" (implemented by the sessions capability): whether the browser's
 * remembered-device token may stand in for the second factor of this user at this sign-in.
 */
export interface RememberedDeviceGate {
  honours(token: string | undefined, user: SessionSubject & { role: string }): Promise<boolean>;
}

/**
 * Password-guessing throttle (implemented by the limits capability). `beforeAttempt` takes a
 * point before the password is checked and throws AppError when over a limit; `onSuccess`
 * gives points back, so only failures accumulate.
 */
export interface LoginThrottle {
  beforeAttempt(key: LoginThrottleKey, origin: RequestOrigin): Promise<void>;
  onSuccess(key: LoginThrottleKey): Promise<void>;
}

export interface LoginThrottleKey {
  ip: string;
  email: string;
  /**
   * Set when the request carries a device cookie proving an earlier full sign-in to this account
   * under its current credential epoch.
   */
  deviceId: string | undefined;
}

/** The device id of the request's device cookie when it was issued for this email and epoch. */
export type DeviceIdReader = (email: string, credentialEpoch: number) => string | undefined;

export type LoginOutcome =
  | { kind: 'session'; user: UserRow; issued: IssuedSession; secondFactorRemembered?: boolean }
  | { kind: 'second_factor'; user: UserRow; tempToken: string; expiresInSeconds: number; methods: string[] };

export interface AccountService {
  register(input: { email: string; password: string; role?: Role }, origin: RequestOrigin): Promise<UserRow>;
  login(
    input: {
      email: string;
      password: string;
      deviceIdFor: DeviceIdReader;
      previousSessionToken: string | undefined;
      /** The browser's remembered-device cookie, if any: may replace the second factor, never the password. */
      rememberedDeviceToken?: string | undefined;
    },
    origin: RequestOrigin,
  ): Promise<LoginOutcome>;
  logout(sessionToken: string | undefined, userId: string | undefined, origin: RequestOrigin): Promise<void>;
  reauthenticate(input: { auth: AuthContext; password: string; deviceIdFor: DeviceIdReader }, origin: RequestOrigin): Promise<IssuedSession>;
  changePassword(
    input: { auth: AuthContext; currentPassword: string; newPassword: string; deviceIdFor: DeviceIdReader },
    origin: RequestOrigin,
  ): Promise<{ issued: IssuedSession; sessionsRevoked: number }>;
}

export function createAccountService(deps: {
  users: UserStore;
  sessions: SessionService;
  audit: AuditLog;
  telemetry: Telemetry;
  randomBytes: RandomBytes;
  // All required: a wiring mistake must fail at start, never turn into "no second factor" or "no throttle".
  signInAccounts: SignInAccounts;
  secondFactor: SecondFactorGate;
  loginThrottle: LoginThrottle;
  rememberedDevices: RememberedDeviceGate;
  /** Runs `work` in one transaction (the database handle's runner). */
  transaction: <T>(work: (tx: Database) => Promise<T>) => Promise<T>;
}): AccountService {
  const { users, sessions, audit, telemetry } = deps;
  const passwords = createPasswordCheck(deps);
  const login = createLogin({ ...deps, passwords });

  return {
    async register(input, origin) {
      const policy = checkPasswordPolicy(input.password, { email: input.email });
      if (!policy.ok) throw new AppError(policy.code, { detail: policy.detail });
      // A taken email is answered before any argon2 work: the 409 says "exists" anyway (and the
      // registration throttle bounds how often it can be asked), so hashing first only spent a
      // core on it. The unique index still decides a race between two concurrent sign-ups.
      if (await users.findByEmail(input.email)) throw new AppError('EMAIL_ALREADY_REGISTERED');
      const passwordHash = await hashSecret(normalizePassword(input.password), ipLimiterKey(origin.ip));
      const user = await users.insert({ email: input.email, passwordHash, role: input.role ?? 'user' });
      if (!user) throw new AppError('EMAIL_ALREADY_REGISTERED');
      await audit.record('auth.registered', { userId: user.id, origin: origin });
      telemetry.emit('auth.registered', { user_id: user.id, request_id: origin.requestId });
      return user;
    },

    login,

    async logout(sessionToken, userId, origin) {
      if (sessionToken) await sessions.revokeToken(sessionToken);
      if (userId) {
        await audit.record('auth.logout', { userId, origin: origin });
        telemetry.emit('auth.logout', { user_id: userId, request_id: origin.requestId });
      }
    },

    async reauthenticate(input, origin) {
      const user = await passwords.proveCurrent(input, origin, { type: 'auth.reauthentication.failed' });
      const issued = await sessions.rotate(input.auth.session, { authenticated: true });
      if (!issued) throw new AppError('UNAUTHENTICATED');
      await audit.record('auth.reauthenticated', { userId: user.id, origin: origin });
      return issued;
    },

    /**
     * The current password proves the session holder is the owner (a stolen cookie alone is not
     * enough). The new hash and the next credential epoch commit together with the revocation of
     * every other session and this session's new token, so nothing issued from the old password
     * — session, temp token or device cookie, even one issued while this ran — stays valid
     * (ASVS 5.0 7.4.3).
     */
    async changePassword(input, origin) {
      const user = await passwords.proveCurrent({ ...input, password: input.currentPassword }, origin, {
        type: 'auth.password_change.failed',
        details: { reason: 'invalid_credentials' },
      });
      const policy = checkPasswordPolicy(input.newPassword, { email: user.email });
      if (!policy.ok) throw new AppError(policy.code, { detail: policy.detail });
      const passwordHash = await hashSecret(normalizePassword(input.newPassword), ipLimiterKey(origin.ip));
      return deps.transaction(async (tx) => {
        const result = await sessions.afterCredentialChange(tx, input.auth, { authenticated: true, passwordHash });
        await audit.record(
          'auth.password_changed',
          { userId: user.id, origin: origin, details: { sessions_revoked: result.sessionsRevoked } },
          tx,
        );
        return result;
      });
    },
  };
}
