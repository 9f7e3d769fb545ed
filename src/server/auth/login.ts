import type { AuditLog, SecurityEventDetails } from '../audit/service';
import { AppError } from '../core/app-error';
import type { RequestOrigin } from '../core/request-origin';
import type { Telemetry } from '../lib/telemetry';
import type {
  AccountService,
  LoginOutcome,
  LoginThrottle,
  LoginThrottleKey,
  RememberedDeviceGate,
  SecondFactorGate,
  SignInAccount,
  SignInAccounts,
} from './account-service';
import type { PasswordCheck } from './password-check';
import type { SessionIssuance, SessionService } from './session-service';
import type { UserRow } from './user-store';

/**
 * How often a login whose password check raced a password or factor change starts over against
 * the account as it now is. Each round needs another change to land inside one argon2 check, so
 * running out means the account is being changed continuously; the client is told to retry.
 */
const LOGIN_ROUNDS = 3;

interface LoginDeps {
  signInAccounts: SignInAccounts;
  sessions: SessionService;
  audit: AuditLog;
  telemetry: Telemetry;
  secondFactor: SecondFactorGate;
  loginThrottle: LoginThrottle;
  rememberedDevices: RememberedDeviceGate;
  passwords: PasswordCheck;
}

function loginDetails(outcome: { kind: LoginOutcome['kind']; secondFactorRemembered?: boolean }): SecurityEventDetails {
  if (outcome.kind === 'second_factor') return { aal: 1, reason: 'second_factor_required' };
  return outcome.secondFactorRemembered ? { aal: 2, method: 'remembered_device' } : { aal: 1 };
}

/**
 * What a correct password opens: a temp token when the account has a second factor, else an
 * AAL1 session — each stored only while the credential epoch read with the user is current.
 * A browser remembered for this user under that same epoch gets an AAL2 session marked as
 * such instead of the temp token. Undefined when a password or factor change committed
 * meanwhile (nothing was stored).
 */
async function openAfterPassword(
  deps: LoginDeps,
  { user, secondFactor: owed }: SignInAccount,
  origin: RequestOrigin,
  rememberedDeviceToken: string | undefined,
): Promise<LoginOutcome | undefined> {
  const { secondFactor, sessions } = deps;
  // A session is stored together with its auth.login.succeeded event (one statement, and never
  // a session without it); a temp token's event is recorded by the caller.
  const openSession = (aal: 1 | 2, how: SessionIssuance = {}) => {
    const entry = succeededEntry(user, origin, loginDetails({ kind: 'session', ...how }));
    return sessions.issueWithEvents(user, aal, origin, deps.audit.toRows([{ type: 'auth.login.succeeded', ...entry }]), how);
  };
  if (owed.required) {
    if (await deps.rememberedDevices.honours(rememberedDeviceToken, user)) {
      const issued = await openSession(2, { secondFactorRemembered: true });
      return issued && { kind: 'session', user, issued, secondFactorRemembered: true };
    }
    const challenge = await secondFactor.startChallenge(user, origin);
    return challenge && { kind: 'second_factor', user, ...challenge, methods: owed.methods };
  }
  const issued = await openSession(1);
  return issued && { kind: 'session', user, issued };
}

function succeededEntry(user: UserRow, origin: RequestOrigin, details: SecurityEventDetails) {
  return { userId: user.id, origin, details };
}

/** The password step of signing in: throttled, audited, and started over when the account changed meanwhile. */
export function createLogin(deps: LoginDeps): AccountService['login'] {
  const { signInAccounts, sessions, audit, telemetry, loginThrottle, passwords } = deps;
  return async (input, origin) => {
    let account = await signInAccounts.findByEmail(input.email);
    const key: LoginThrottleKey = {
      ip: origin.ip,
      email: input.email,
      deviceId: account ? input.deviceIdFor(account.user.email, account.user.credentialEpoch) : undefined,
    };
    await loginThrottle.beforeAttempt(key, origin);
    for (let round = 1; ; round += 1) {
      const passwordOk = await passwords.check(account?.user, input.password, origin);
      if (!account || !passwordOk) {
        await audit.record('auth.login.failed', {
          userId: account?.user.id ?? null,
          origin: origin,
          details: { reason: 'invalid_credentials' },
        });
        telemetry.emit('auth.login', { outcome: 'failure', request_id: origin.requestId });
        throw new AppError('INVALID_CREDENTIALS');
      }
      const outcome = await openAfterPassword(deps, account, origin, input.rememberedDeviceToken);
      if (outcome) {
        const { user } = account;
        await loginThrottle.onSuccess(key);
        // A session cookie sent along with a login is replaced, never upgraded (session fixation).
        if (input.previousSessionToken) await sessions.revokeToken(input.previousSessionToken);
        const entry = succeededEntry(user, origin, loginDetails(outcome));
        // The session outcomes' event was written with the session (openAfterPassword).
        if (outcome.kind === 'session') await audit.announce([{ type: 'auth.login.succeeded', ...entry }]);
        else await audit.record('auth.login.succeeded', entry);
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
      account = await signInAccounts.findByEmail(input.email);
    }
  };
}
