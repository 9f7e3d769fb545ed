import { AppError } from '../core/app-error';
import type { AuditLog, SecurityEventDetails, SecurityEventType } from '../audit/service';
import type { RequestOrigin } from '../core/request-origin';
import { ipLimiterKey } from '../core/client-address';
import { hashSecret, verifySecret } from '../lib/argon2';
import type { RandomBytes } from '../lib/random';
import type { Telemetry } from '../lib/telemetry';
import type { Database } from '../db/client';
import { checkPasswordPolicy, normalizePassword } from './password-policy';
import type { AuthContext } from '../core/auth-context';
import type { IssuedSession, SessionService, SessionSubject } from './session-service';
import type { Role, UserRow, UserStore } from './user-store';

/** The second factor, as the password step sees it (implemented by the twofactor capability). */
export interface SecondFactorGate {
  isRequired(userId: string): Promise<boolean>;
  /**
   * Issues a temp token bound to `subject.credentialEpoch`; undefined (nothing stored) when a
   * password or factor change moved the epoch after the caller read the user.
   */
  startChallenge(
    subject: SessionSubject,
    origin: RequestOrigin,
  ): Promise<{ tempToken: string; expiresInSeconds: number; methods?: string[] } | undefined>;
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

/**
 * How often a login whose password check raced a password or factor change starts over against
 * the account as it now is. Each round needs another change to land inside one argon2 check, so
 * running out means the account is being changed continuously; the client is told to retry.
 */
const LOGIN_ROUNDS = 3;

export type LoginOutcome =
  | { kind: 'session'; user: UserRow; issued: IssuedSession; secondFactorRemembered?: boolean }
  | { kind: 'second_factor'; user: UserRow; tempToken: string; expiresInSeconds: number; methods?: string[] };

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

function loginDetails(outcome: LoginOutcome): SecurityEventDetails {
  if (outcome.kind === 'second_factor') return { aal: 1, reason: 'second_factor_required' };
  return outcome.secondFactorRemembered ? { aal: 2, method: 'remembered_device' } : { aal: 1 };
}

export function createAccountService(deps: {
  users: UserStore;
  sessions: SessionService;
  audit: AuditLog;
  telemetry: Telemetry;
  randomBytes: RandomBytes;
  // Both required: a wiring mistake must fail at start, never turn into "no second factor" or "no throttle".
  secondFactor: SecondFactorGate;
  loginThrottle: LoginThrottle;
  rememberedDevices: RememberedDeviceGate;
  /** Runs `work` in one transaction (the database handle's runner). */
  transaction: <T>(work: (tx: Database) => Promise<T>) => Promise<T>;
}): AccountService {
  const { users, sessions, audit, telemetry, secondFactor, loginThrottle } = deps;

  // Unknown emails are verified against this hash so they cost exactly one argon2id
  // verification, like known ones: response time must not reveal which emails exist.
  let dummyHash: Promise<string> | undefined;
  const getDummyHash = () => (dummyHash ??= hashSecret(deps.randomBytes(24).toString('base64')));

  /** One argon2 verification in the client's own lane of the hash queue, known email or not. */
  async function checkPassword(user: UserRow | undefined, password: string, origin: RequestOrigin): Promise<boolean> {
    const candidate = normalizePassword(password);
    const lane = ipLimiterKey(origin.ip);
    if (!user) {
      await verifySecret(await getDummyHash(), candidate, lane);
      return false;
    }
    return verifySecret(user.passwordHash, candidate, lane);
  }

  /**
   * A signed-in user proving the password again (re-authentication, password change): throttled
   * like a login, a failure audited under `failure.type`, INVALID_CREDENTIALS on a wrong password.
   */
  async function proveCurrentPassword(
    input: { auth: AuthContext; password: string; deviceIdFor: DeviceIdReader },
    origin: RequestOrigin,
    failure: { type: SecurityEventType; details?: SecurityEventDetails },
  ): Promise<UserRow> {
    const { auth } = input;
    const user = await users.findById(auth.user.id);
    const key: LoginThrottleKey = {
      ip: origin.ip,
      email: auth.user.email,
      deviceId: input.deviceIdFor(auth.user.email, auth.session.credentialEpoch),
    };
    await loginThrottle.beforeAttempt(key, origin);
    if (!user || !(await checkPassword(user, input.password, origin))) {
      await audit.record(failure.type, { userId: auth.user.id, origin: origin, ...(failure.details ? { details: failure.details } : {}) });
      throw new AppError('INVALID_CREDENTIALS');
    }
    await loginThrottle.onSuccess(key);
    return user;
  }

  /**
   * What a correct password opens: a temp token when the account has a second factor, else an
   * AAL1 session — each stored only while the credential epoch read with the user is current.
   * A browser remembered for this user under that same epoch gets an AAL2 session marked as
   * such instead of the temp token. Undefined when a password or factor change committed
   * meanwhile (nothing was stored).
   */
  async function openAfterPassword(user: UserRow, origin: RequestOrigin, rememberedDeviceToken: string | undefined): Promise<LoginOutcome | undefined> {
    if (await secondFactor.isRequired(user.id)) {
      if (await deps.rememberedDevices.honours(rememberedDeviceToken, user)) {
        const issued = await sessions.issue(user, 2, origin, undefined, { secondFactorRemembered: true });
        return issued && { kind: 'session', user, issued, secondFactorRemembered: true };
      }
      const challenge = await secondFactor.startChallenge(user, origin);
      return challenge && { kind: 'second_factor', user, ...challenge };
    }
    const issued = await sessions.issue(user, 1, origin);
    return issued && { kind: 'session', user, issued };
  }

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

    async login(input, origin) {
      let user = await users.findByEmail(input.email);
      const key: LoginThrottleKey = {
        ip: origin.ip,
        email: input.email,
        deviceId: user ? input.deviceIdFor(user.email, user.credentialEpoch) : undefined,
      };
      await loginThrottle.beforeAttempt(key, origin);
      for (let round = 1; ; round += 1) {
        const passwordOk = await checkPassword(user, input.password, origin);
        if (!user || !passwordOk) {
          await audit.record('auth.login.failed', {
            userId: user?.id ?? null,
            origin: origin,
            details: { reason: 'invalid_credentials' },
          });
          telemetry.emit('auth.login', { outcome: 'failure', request_id: origin.requestId });
          throw new AppError('INVALID_CREDENTIALS');
        }
        const outcome = await openAfterPassword(user, origin, input.rememberedDeviceToken);
        if (outcome) {
          await loginThrottle.onSuccess(key);
          // A session cookie sent along with a login is replaced, never upgraded (session fixation).
          if (input.previousSessionToken) await sessions.revokeToken(input.previousSessionToken);
          const details = loginDetails(outcome);
          await audit.record('auth.login.succeeded', { userId: user.id, origin: origin, details });
          telemetry.emit('auth.login', {
            outcome: outcome.kind === 'session' ? 'success' : 'second_factor_required',
            user_id: user.id,
            ...(outcome.kind === 'session' ? { aal: outcome.issued.session.aal } : {}),
            request_id: origin.requestId,
          });
          return outcome;
        }
        // The password or a factor changed while this password was being checked: answer as a
        // login that started after the change, against the account as it is now.
        if (round === LOGIN_ROUNDS) throw new AppError('SERVICE_UNAVAILABLE', { detail: 'The account changed during sign-in; try again', retryAfterSeconds: 1 });
        user = await users.findByEmail(input.email);
      }
    },

    async logout(sessionToken, userId, origin) {
      if (sessionToken) await sessions.revokeToken(sessionToken);
      if (userId) {
        await audit.record('auth.logout', { userId, origin: origin });
        telemetry.emit('auth.logout', { user_id: userId, request_id: origin.requestId });
      }
    },

    async reauthenticate(input, origin) {
      const user = await proveCurrentPassword(input, origin, { type: 'auth.reauthentication.failed' });
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
      const user = await proveCurrentPassword({ ...input, password: input.currentPassword }, origin, {
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
