import type { AuditLog } from '../audit/service';
import type { LoginThrottle } from '../auth/account-service';
import type { RegistrationThrottle } from '../auth/routes';
import type { LimitsConfig } from '../config';
import { ipLimiterKey } from '../core/client-address';
import type { Logger } from 'pino';
import type { Telemetry } from '../lib/telemetry';
import type { TwoFactorLimits } from '../twofactor/service';
import type { SmsTestLimits } from '../alerts/service';
import type { ForgotPasswordThrottle } from '../auth/password-reset-service';
import type { PasskeyOptionsThrottle } from '../passkeys/routes';
import type { SessionWriteBudget } from '../http/route';
import { createGateFactory } from '../limits/gate-factory';
import { limiterKey } from '../limits/limit-gate';
import { giveBack } from '../limits/give-back';
import { reserveInOrder } from '../limits/reserve-in-order';
import type { LimiterStore } from '../limits/limiter-store';

type Gate = ReturnType<typeof createGateFactory>;

function createTwoFactorLimits(gate: Gate, config: LimitsConfig): TwoFactorLimits {
  return {
    ip: gate({ name: '2fa_ip', points: config.twoFactorIpMaxFailures, durationSeconds: config.twoFactorIpWindowSeconds }, 'RATE_LIMITED'),
    userShort: gate(
      {
        name: '2fa_user',
        points: config.twoFactorUserMaxFailures,
        durationSeconds: config.twoFactorUserLockSeconds,
        blockDurationSeconds: config.twoFactorUserLockSeconds,
      },
      'TWO_FACTOR_LOCKED',
    ),
    userDaily: gate({ name: '2fa_user_day', points: config.twoFactorUserDailyMaxFailures, durationSeconds: 24 * 3600 }, 'TWO_FACTOR_LOCKED'),
    tempTokenMaxFailures: config.tempTokenMaxFailures,
  };
}

function createLoginThrottle(gate: Gate, config: LimitsConfig): LoginThrottle {
  const loginIp = gate({ name: 'login_ip', points: config.loginIpMaxFailures, durationSeconds: config.loginIpWindowSeconds }, 'RATE_LIMITED');
  const loginIpEmail = gate(
    { name: 'login_ip_email', points: config.loginIpEmailMaxFailures, durationSeconds: config.loginIpEmailWindowSeconds },
    'RATE_LIMITED',
  );
  // No blockDuration: a refused email is free again when its window ends, and known devices never meet this gate.
  const loginEmail = gate(
    { name: 'login_email', points: config.loginEmailMaxFailures, durationSeconds: config.loginEmailWindowSeconds },
    'RATE_LIMITED',
  );
  const loginDevice = gate(
    { name: 'login_device', points: config.loginDeviceMaxFailures, durationSeconds: config.loginIpEmailWindowSeconds },
    'RATE_LIMITED',
  );
  // Every device cookie has its own counter, so without a total, N cookies would buy N times the
  // guesses. Only browsers that signed in under the current credential epoch hold one, so this
  // counter is out of reach of an attacker who never had the password: no malicious lockout.
  const loginEmailDevices = gate(
    { name: 'login_email_devices', points: config.loginEmailDevicesMaxFailures, durationSeconds: config.loginEmailWindowSeconds },
    'RATE_LIMITED',
  );

  return {
    async beforeAttempt(key, origin) {
      const ip = ipLimiterKey(key.ip);
      const context = { origin };
      // In this order, each only if the ones before it admitted the attempt.
      await reserveInOrder([
        { gate: loginIp, key: ip, context },
        { gate: loginIpEmail, key: limiterKey(ip, key.email), context },
        ...(key.deviceId
          ? [
              { gate: loginDevice, key: limiterKey(key.deviceId, key.email), context },
              { gate: loginEmailDevices, key: limiterKey(key.email), context },
            ]
          : [{ gate: loginEmail, key: limiterKey(key.email), context }]),
      ]);
    },
    async onSuccess(key) {
      const ip = ipLimiterKey(key.ip);
      await giveBack([
        { gate: loginIp, key: ip, kind: 'refund' },
        { gate: loginIpEmail, key: limiterKey(ip, key.email), kind: 'reset' },
        // The total across devices only gives back this attempt's point: failures made through
        // other device cookies stay counted for the window.
        ...(key.deviceId
          ? [
              { gate: loginDevice, key: limiterKey(key.deviceId, key.email), kind: 'reset' as const },
              { gate: loginEmailDevices, key: limiterKey(key.email), kind: 'refund' as const },
            ]
          : [{ gate: loginEmail, key: limiterKey(key.email), kind: 'reset' as const }]),
      ]);
    },
  };
}

// Every registration attempt counts, the 409 answers too: "already registered" tells whether an
// email has an account, so unthrottled it is free enumeration. The global cap bounds what many
// addresses together can create or probe; the per-IP one is checked first, so one address's
// refused flood does not use up everyone's allowance.
function createRegistrationThrottle(gate: Gate, config: LimitsConfig): RegistrationThrottle {
  const registerIp = gate({ name: 'register_ip', points: config.registerIpMaxPerHour, durationSeconds: 3600 }, 'RATE_LIMITED');
  const registerGlobal = gate({ name: 'register_global', points: config.registerGlobalMaxPerHour, durationSeconds: 3600 }, 'RATE_LIMITED');
  return {
    async beforeAttempt(origin) {
      await reserveInOrder([
        { gate: registerIp, key: ipLimiterKey(origin.ip), context: { origin } },
        { gate: registerGlobal, key: 'all', context: { origin } },
      ]);
    },
  };
}

// Every request counts, for known and unknown emails alike (the answer must not differ): per IP
// against one address flooding many inboxes, per email against one inbox being flooded.
function createForgotPasswordThrottle(gate: Gate, forgot: { ipMaxPerHour: number; emailMaxPerHour: number }): ForgotPasswordThrottle {
  const forgotIp = gate({ name: 'password_forgot_ip', points: forgot.ipMaxPerHour, durationSeconds: 3600 }, 'RATE_LIMITED');
  const forgotEmail = gate({ name: 'password_forgot_email', points: forgot.emailMaxPerHour, durationSeconds: 3600 }, 'RATE_LIMITED');
  return {
    async beforeRequest(email, origin) {
      await reserveInOrder([
        { gate: forgotIp, key: ipLimiterKey(origin.ip), context: { origin } },
        { gate: forgotEmail, key: limiterKey(email), context: { origin } },
      ]);
    },
  };
}

// Every request counts: each one stores a WebAuthn challenge for TWO_FACTOR_TEMP_TOKEN_TTL, and
// the passwordless one asks for nothing first, so unthrottled one address could fill the
// challenge table (about 2,000 rows a second from one address, measured before this throttle).
// The global cap bounds what many addresses together can store. It counts passwordless requests
// only: a second-factor request carries a temp token, which only a correct password gets, so
// the login throttles already bound those, and an exhausted global cap must not lock out the
// accounts whose only second factor is a passkey. The address's own count is taken first, so
// one address's refused flood does not use up everyone's allowance.
function createPasskeyOptionsThrottle(gate: Gate, config: LimitsConfig): PasskeyOptionsThrottle {
  const optionsIp = gate({ name: 'passkey_options_ip', points: config.passkeyOptionsIpMaxPerHour, durationSeconds: 3600 }, 'RATE_LIMITED');
  const optionsGlobal = gate(
    { name: 'passkey_options_global', points: config.passkeyOptionsGlobalMaxPerHour, durationSeconds: 3600 },
    'RATE_LIMITED',
  );
  return {
    async beforeRequest(origin, { passwordless }) {
      await reserveInOrder([
        { gate: optionsIp, key: ipLimiterKey(origin.ip), context: { origin } },
        ...(passwordless ? [{ gate: optionsGlobal, key: 'all', context: { origin } }] : []),
      ]);
    },
  };
}

// Per session, not per user: a stolen session that spends its budget must not stop the owner's
// own session from signing out everywhere or changing the password. Sessions come only from
// sign-ins, which have throttles and a hash of their own, so many sessions cost many sign-ins.
function createSessionWriteBudget(gate: Gate, config: LimitsConfig): SessionWriteBudget {
  const writes = gate({ name: 'session_writes', points: config.sessionWritesMaxPerHour, durationSeconds: 3600 }, 'RATE_LIMITED');
  return {
    async beforeWrite({ sessionId, userId }, origin) {
      await writes.reserve(limiterKey(sessionId), { userId, origin });
    },
  };
}

/**
 * The throttle policy of Proofgate in one place: which counters exist, their thresholds (all
 * from Config), what a refusal is called, and for each credential the order in which its
 * counters are reserved and given back. It lives with the composition root because it fills the
 * ports the capabilities declare (LoginThrottle, TwoFactorLimits, ...) with the generic gates of
 * limits/, which itself knows no capability. docs/security.md explains the choices.
 */
export function createThrottles(deps: {
  store: LimiterStore;
  config: LimitsConfig;
  /** Reset mails per hour: PASSWORD_FORGOT_IP_MAX_PER_HOUR and PASSWORD_FORGOT_EMAIL_MAX_PER_HOUR. */
  forgot: { ipMaxPerHour: number; emailMaxPerHour: number };
  audit: AuditLog;
  telemetry: Telemetry;
  logger: Logger;
}) {
  const { store, config } = deps;
  const gate = createGateFactory(deps);
  const twoFactor = createTwoFactorLimits(gate, config);
  const login = createLoginThrottle(gate, config);
  // Test SMS cost money and can be aimed at anyone's phone: hourly caps per admin and per IP.
  const smsTest: SmsTestLimits = {
    admin: gate({ name: 'sms_test_admin', points: config.smsTestAdminMaxPerHour, durationSeconds: 3600 }, 'RATE_LIMITED'),
    ip: gate({ name: 'sms_test_ip', points: config.smsTestIpMaxPerHour, durationSeconds: 3600 }, 'RATE_LIMITED'),
  };
  const register = createRegistrationThrottle(gate, config);
  const passwordForgot = createForgotPasswordThrottle(gate, deps.forgot);
  const passkeyOptions = createPasskeyOptionsThrottle(gate, config);
  const sessionWrites = createSessionWriteBudget(gate, config);
  return { twoFactor, login, smsTest, register, passwordForgot, passkeyOptions, sessionWrites, store };
}
