import path from 'node:path';
import type { z } from 'zod';
import { countryOfNumber } from '../common/phone';
import { envSchema, type Env } from './settings/env-schema';

export { envSchema, type Env } from './settings/env-schema';
export { isTrustProxyEntry } from './settings/fields';

/**
 * Environment → typed Config, validated once at boot. The settings themselves are defined once,
 * in settings/env-schema.ts (listed in `.env.example` and the README's configuration table);
 * Config's type is what toConfig makes of them, so a new setting is one schema entry plus its
 * place here.
 */

/**
 * Where SMS may go. `allowedCountriesFrom` says where the list came from, so status and docs can
 * tell an operator's choice from a default.
 */
export interface SmsConfig {
  allowedCountries: string[];
  allowedCountriesFrom: 'SMS_ALLOWED_COUNTRIES' | 'TWILIO_FROM_NUMBER' | 'none';
}

/**
 * Unset SMS_ALLOWED_COUNTRIES means the sender number's own country: alerts go to the team
 * that runs the deployment, which is almost always where its number is. Without a usable sender
 * number (a Messaging Service only, whose pool may span countries) nothing is allowed until
 * the operator names the countries: guessing one would open a country nobody chose.
 */
export function resolveSmsAllowedCountries(configured: string[], fromNumber: string | undefined): SmsConfig {
  if (configured.length > 0) return { allowedCountries: [...new Set(configured)], allowedCountriesFrom: 'SMS_ALLOWED_COUNTRIES' };
  const fromCountry = fromNumber ? countryOfNumber(fromNumber) : undefined;
  if (fromCountry) return { allowedCountries: [fromCountry], allowedCountriesFrom: 'TWILIO_FROM_NUMBER' };
  return { allowedCountries: [], allowedCountriesFrom: 'none' };
}

/** Throttle thresholds; every one is a setting documented in the README. */
function toLimitsConfig(e: Env) {
  return {
    redisKeyPrefix: e.REDIS_KEY_PREFIX,
    tempTokenMaxFailures: e.TWO_FACTOR_TEMP_TOKEN_MAX_FAILURES,
    twoFactorUserMaxFailures: e.TWO_FACTOR_USER_MAX_FAILURES,
    twoFactorUserLockSeconds: e.TWO_FACTOR_USER_LOCK_SECONDS,
    twoFactorUserDailyMaxFailures: e.TWO_FACTOR_USER_DAILY_MAX_FAILURES,
    twoFactorIpMaxFailures: e.TWO_FACTOR_IP_MAX_FAILURES,
    twoFactorIpWindowSeconds: e.TWO_FACTOR_IP_WINDOW_SECONDS,
    loginIpEmailMaxFailures: e.LOGIN_IP_EMAIL_MAX_FAILURES,
    loginIpEmailWindowSeconds: e.LOGIN_IP_EMAIL_WINDOW_SECONDS,
    loginIpMaxFailures: e.LOGIN_IP_MAX_FAILURES,
    loginIpWindowSeconds: e.LOGIN_IP_WINDOW_SECONDS,
    loginEmailMaxFailures: e.LOGIN_EMAIL_MAX_FAILURES,
    loginEmailWindowSeconds: e.LOGIN_EMAIL_WINDOW_SECONDS,
    loginDeviceMaxFailures: e.LOGIN_DEVICE_MAX_FAILURES,
    /** Wrong passwords per email across all its device cookies together, per LOGIN_EMAIL_WINDOW_SECONDS. */
    loginEmailDevicesMaxFailures: e.LOGIN_EMAIL_DEVICES_MAX_FAILURES,
    smsTestAdminMaxPerHour: e.SMS_TEST_ADMIN_MAX_PER_HOUR,
    smsTestIpMaxPerHour: e.SMS_TEST_IP_MAX_PER_HOUR,
    registerIpMaxPerHour: e.REGISTER_IP_MAX_PER_HOUR,
    registerGlobalMaxPerHour: e.REGISTER_GLOBAL_MAX_PER_HOUR,
    /** Passkey sign-in options per client IP per hour: each one stores a challenge row. */
    passkeyOptionsIpMaxPerHour: e.PASSKEY_OPTIONS_IP_MAX_PER_HOUR,
    /** Passwordless passkey sign-in options from everyone together per hour: bounds the challenge rows many addresses can store. */
    passkeyOptionsGlobalMaxPerHour: e.PASSKEY_OPTIONS_GLOBAL_MAX_PER_HOUR,
    /** State-changing requests per session per hour (http/route.ts, SessionWriteBudget). */
    sessionWritesMaxPerHour: e.SESSION_WRITES_MAX_PER_HOUR,
    /** How long a throttle's refusal (429) waits before it is answered; 0: at once (lib/refusal-hold.ts). */
    refusalDelayMs: e.THROTTLE_REFUSAL_DELAY_MS,
  };
}

/** The parsed settings grouped the way the services take them. */
function toConfig(e: Env) {
  return {
    isProduction: e.NODE_ENV === 'production',
    host: e.HOST,
    port: e.PORT,
    dataDir: path.resolve(e.DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    databasePoolMax: e.DATABASE_POOL_MAX,
    databaseSchema: e.DATABASE_SCHEMA,
    redisUrl: e.REDIS_URL,
    logLevel: e.LOG_LEVEL,
    publicUrl: e.PUBLIC_URL?.replace(/\/+$/, ''),
    allowedOrigins: e.ALLOWED_ORIGINS,
    trustProxy: e.TRUST_PROXY,
    /** Admin routes need an AAL2 session (default: on in production). */
    adminRequire2fa: e.ADMIN_REQUIRE_2FA ?? e.NODE_ENV === 'production',
    encryption: { currentKeyBase64: e.APP_ENC_KEY, oldKeysBase64: e.APP_ENC_KEYS_OLD },
    session: { idleSeconds: e.SESSION_IDLE_SECONDS, absoluteSeconds: e.SESSION_ABSOLUTE_SECONDS, cacheMs: e.SESSION_CACHE_MS },
    twoFactor: {
      freshSeconds: e.TWO_FACTOR_FRESH_SECONDS,
      tempTokenTtlSeconds: e.TWO_FACTOR_TEMP_TOKEN_TTL,
      rememberDays: e.TWO_FACTOR_REMEMBER_DAYS,
      issuer: e.TOTP_ISSUER,
    },
    serveWeb: e.SERVE_WEB,
    /** Security events and integration usage older than this are purged (housekeeping/); 0 keeps them forever. */
    auditRetentionDays: e.AUDIT_RETENTION_DAYS,
    limits: toLimitsConfig(e),
    /** Raw Twilio settings; integrations/twilio/settings.ts decides whether they are usable. */
    twilio: {
      accountSid: e.TWILIO_ACCOUNT_SID,
      authToken: e.TWILIO_AUTH_TOKEN,
      apiKeySid: e.TWILIO_API_KEY_SID,
      apiKeySecret: e.TWILIO_API_KEY_SECRET,
      fromNumber: e.TWILIO_FROM_NUMBER,
      messagingServiceSid: e.TWILIO_MESSAGING_SERVICE_SID,
      /** Test-only base URL replacing https://api.twilio.com (refused in production). */
      apiBaseUrl: e.TWILIO_API_BASE_URL?.replace(/\/+$/, ''),
      timeoutMs: e.TWILIO_TIMEOUT_MS,
    },
    sms: resolveSmsAllowedCountries(e.SMS_ALLOWED_COUNTRIES, e.TWILIO_FROM_NUMBER),
    integrations: { checkIntervalSeconds: e.INTEGRATION_CHECK_INTERVAL_SECONDS },
    /** SMTP and password reset; mail/settings.ts decides whether mail can be sent. */
    mail: {
      smtpUrl: e.SMTP_URL,
      from: e.MAIL_FROM,
      timeoutMs: e.SMTP_TIMEOUT_MS,
      resetTtlSeconds: e.PASSWORD_RESET_TTL,
      forgotIpMaxPerHour: e.PASSWORD_FORGOT_IP_MAX_PER_HOUR,
      forgotEmailMaxPerHour: e.PASSWORD_FORGOT_EMAIL_MAX_PER_HOUR,
      noticesAccountMaxPerHour: e.MAIL_NOTICES_ACCOUNT_MAX_PER_HOUR,
    },
  };
}

export type Config = ReturnType<typeof toConfig>;
export type LimitsConfig = Config['limits'];
export type TwilioConfig = Config['twilio'];

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Variables that no longer exist but whose silent disappearance would mislead: a deployment
 * that still sets one is refused with what to do instead.
 */
export const REMOVED_VARIABLES: Readonly<Record<string, string>> = {
  // Emails are never verified, so a list of them cannot grant privilege: whoever registered a
  // listed address first became an admin.
  ADMIN_EMAILS:
    'no longer grants admin rights (anyone who registers a listed address would get them); remove it and grant admins with npm run cli -- user:grant-admin --email <email>',
};

/** How a problem names its setting: the variable (environment) or the option (createProofgate). */
export type SettingNamer = (variable: string) => string;

/** "ALLOWED_ORIGINS (entry 2) must …": the setting first, a list entry by its position (never its text). */
function describeIssue(issue: z.core.$ZodIssue, name: SettingNamer): string {
  const [variable, ...rest] = issue.path;
  const entry = rest.length > 0 && typeof rest[0] === 'number' ? ` (entry ${rest[0] + 1})` : '';
  return `${variable === undefined ? 'environment' : name(String(variable))}${entry} ${issue.message}`;
}

/** Parses the environment; throws ConfigError naming every bad variable (never its value: it may be a secret). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, name: SettingNamer = (variable) => variable): Config {
  const removed = Object.entries(REMOVED_VARIABLES)
    .filter(([variable]) => (env[variable] ?? '').trim() !== '')
    .map(([variable, message]) => `${name(variable)} ${message}`);
  const parsed = envSchema.safeParse(env);
  if (!parsed.success || removed.length > 0) {
    const issues = parsed.success ? [] : parsed.error.issues.map((issue) => describeIssue(issue, name));
    throw new ConfigError([...removed, ...issues]);
  }
  return toConfig(parsed.data);
}
