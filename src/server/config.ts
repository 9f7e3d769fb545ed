import path from 'node:path';
import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { countryOfNumber, isCountryCode } from '../common/phone';
import { TWILIO_FORMATS, type TwilioVariable } from './integrations/twilio/formats';

/**
 * Environment → typed Config, validated once at boot. Every variable is listed in
 * `.env.example` and in the README's configuration table; keep the three in step.
 */

const emptyToUndefined = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);

const integer = (defaultValue: number, min: number, max: number) =>
  z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ error: `must be a whole number between ${min} and ${max}` })
      .int({ error: `must be a whole number between ${min} and ${max}` })
      .min(min, { error: `must be at least ${min}` })
      .max(max, { error: `must be at most ${max}` })
      .default(defaultValue),
  );

const booleanFlag = (defaultValue: boolean) =>
  z.preprocess(
    emptyToUndefined,
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
      .transform((v) => v === 'true' || v === '1' || v === 'yes')
      .default(defaultValue),
  );

const postgresUrl = z.preprocess(
  emptyToUndefined,
  z
    .string()
    .refine((v) => /^postgres(ql)?:\/\//.test(v) && URL.canParse(v), {
      error: 'must be a postgres:// or postgresql:// URL (percent-encode special characters in the password)',
    })
    .optional(),
);

const redisUrl = z.preprocess(
  emptyToUndefined,
  z
    .string()
    .refine((v) => /^rediss?:\/\//.test(v) && URL.canParse(v), {
      error: 'must be a redis:// or rediss:// URL (percent-encode special characters in the password)',
    })
    .optional(),
);

const base64Key = z
  .string()
  .refine((v) => Buffer.from(v, 'base64').length === 32 && /^[A-Za-z0-9+/]+={0,2}$/.test(v), {
    error: 'must be 32 random bytes in base64 (openssl rand -base64 32)',
  });

const commaList = z.preprocess(
  emptyToUndefined,
  z
    .string()
    .optional()
    .transform((v) =>
      (v ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0),
    ),
);

const originList = commaList.pipe(
  z.array(
    z.string().refine((v) => {
      try {
        return new URL(v).origin === v;
      } catch {
        return false;
      }
    }, { error: 'must be a comma-separated list of origins like https://app.example.com (scheme, host, optional port; no path)' }),
  ),
);

/**
 * One entry of a TRUST_PROXY list, judged as Express's proxy-addr will compile it, so a typo is
 * refused here by name instead of surfacing as proxy-addr's "TypeError: invalid IP address"
 * with no variable named. Stricter than proxy-addr in one way: IPv4 must be four decimal parts,
 * because ipaddr.js would also read "2" or "0x7f.1" as an address, which is never what was meant.
 */
const TRUST_PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function isAddress(text: string): boolean {
  return ipaddr.IPv4.isValidFourPartDecimal(text) || ipaddr.IPv6.isValid(text);
}

export function isTrustProxyEntry(entry: string): boolean {
  if (TRUST_PROXY_NAMES.has(entry)) return true;
  const slash = entry.lastIndexOf('/');
  if (slash === -1) return isAddress(entry);
  const address = entry.slice(0, slash);
  const range = entry.slice(slash + 1);
  if (!isAddress(address)) return false;
  const kind = ipaddr.parse(address).kind();
  const max = kind === 'ipv6' ? 128 : 32;
  // proxy-addr refuses a prefix of 0 (it would trust every address): so do we.
  if (/^\d+$/.test(range)) return Number(range) >= 1 && Number(range) <= max;
  // An IPv4 netmask (10.0.0.0/255.0.0.0) is accepted by Express too; it must be contiguous and not 0.0.0.0.
  if (kind === 'ipv4' && ipaddr.IPv4.isValidFourPartDecimal(range)) {
    const prefix = ipaddr.IPv4.parse(range).prefixLengthFromSubnetMask();
    return prefix !== null && prefix >= 1;
  }
  return false;
}

const TRUST_PROXY_RULE =
  'must be false, true, a hop count such as 1, or a comma-separated list of IP addresses, subnets (10.0.0.0/8, fd00::/8) and the names loopback, linklocal, uniquelocal';

/**
 * TRUST_PROXY follows Express's `trust proxy`: unset/false trusts no proxy, so a client
 * cannot spoof X-Forwarded-For to dodge per-IP limits; a number trusts that many hops;
 * anything else is a comma list of addresses, subnets or the names loopback/linklocal/uniquelocal.
 */
const trustProxy = z.preprocess(
  emptyToUndefined,
  z
    .string()
    .trim()
    .default('false')
    .transform((v, ctx): boolean | number | string[] => {
      if (v === 'false' || v === '0') return false;
      if (v === 'true') return true;
      if (/^\d+$/.test(v)) return Number(v);
      const entries = v.split(',').map((s) => s.trim());
      // The entry's position, not its text: the message never repeats a value.
      const bad = entries.findIndex((entry) => !isTrustProxyEntry(entry));
      if (bad !== -1) {
        ctx.addIssue({ code: 'custom', message: `${TRUST_PROXY_RULE}; entry ${bad + 1} of ${entries.length} is none of these` });
        return z.NEVER;
      }
      return entries;
    }),
);

const countryList = commaList.pipe(
  z
    .array(z.string())
    .transform((codes) => codes.map((code) => code.toUpperCase()))
    .refine((codes) => codes.every(isCountryCode), {
      error: 'must be a comma-separated list of ISO 3166-1 alpha-2 country codes such as US,CA',
    }),
);

/**
 * A TWILIO_* setting: optional (a missing one makes SMS "not configured", reported by System
 * status), but when set it must have its shape, or the server refuses to start naming it.
 * The rule is formats.ts's, shared with integrations/twilio/settings.ts.
 */
const twilioSetting = (variable: TwilioVariable) =>
  z.preprocess(
    emptyToUndefined,
    z
      .string()
      .trim()
      .refine((v) => TWILIO_FORMATS[variable].test(v), { error: TWILIO_FORMATS[variable].message })
      .optional(),
  );

/** A listen address: an IP address or a host name (RFC 1123 labels), nothing Node would have to guess about. */
const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** A base URL: credentials, a query or a fragment in it would be copied into every link and callback signature. */
const publicUrl = z.preprocess(
  emptyToUndefined,
  z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://proofgate.example.com' })
    .refine(
      (v) => {
        // zod runs this even after the URL check above failed; that failure is already reported.
        if (!URL.canParse(v)) return true;
        const url = new URL(v);
        return !url.username && !url.password && !url.search && !url.hash;
      },
      { error: 'must be a base URL such as https://proofgate.example.com, without user:password@, ?query or #fragment' },
    )
    .optional(),
);

export const envSchema = z
  .object({
    NODE_ENV: z.preprocess(
      emptyToUndefined,
      z.enum(['development', 'production', 'test'], { error: 'must be development, production or test' }).default('development'),
    ),
    HOST: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .trim()
        .refine((v) => isAddress(v) || HOSTNAME.test(v), {
          error: 'must be an IP address (127.0.0.1, 0.0.0.0, ::, without brackets) or a host name such as localhost',
        })
        .default('127.0.0.1'),
    ),
    PORT: integer(3000, 0, 65535),
    DATA_DIR: z.preprocess(emptyToUndefined, z.string().default('./data')),
    DATABASE_URL: postgresUrl,
    DATABASE_POOL_MAX: integer(20, 1, 500),
    REDIS_URL: redisUrl,
    LOG_LEVEL: z.preprocess(
      emptyToUndefined,
      z
        .enum(LOG_LEVELS, {
          error: `must be one of ${LOG_LEVELS.join(', ')} (from least to most detail; silent logs nothing, info is the default)`,
        })
        .default('info'),
    ),
    PUBLIC_URL: publicUrl,
    ALLOWED_ORIGINS: originList,
    TRUST_PROXY: trustProxy,
    ADMIN_REQUIRE_2FA: z.preprocess(
      emptyToUndefined,
      z
        .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
        .transform((v) => v === 'true' || v === '1' || v === 'yes')
        .optional(),
    ),
    APP_ENC_KEY: z.preprocess(emptyToUndefined, base64Key.optional()),
    APP_ENC_KEYS_OLD: commaList.pipe(z.array(base64Key)),
    SESSION_IDLE_SECONDS: integer(30 * 60, 60, 30 * 24 * 3600),
    SESSION_ABSOLUTE_SECONDS: integer(12 * 3600, 300, 365 * 24 * 3600),
    TWO_FACTOR_FRESH_SECONDS: integer(600, 30, 24 * 3600),
    TWO_FACTOR_TEMP_TOKEN_TTL: integer(300, 5, 3600),
    TOTP_ISSUER: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .min(1, { error: 'must be 1-64 characters' })
        .max(64, { error: 'must be 1-64 characters (authenticator apps show it beside each code)' })
        .default('Proofgate'),
    ),
    SERVE_WEB: booleanFlag(true),
    REDIS_KEY_PREFIX: z.preprocess(
      emptyToUndefined,
      z.string().regex(/^[A-Za-z0-9:_-]{1,40}$/, { error: 'must be 1-40 letters, digits, : _ or -' }).default('proofgate'),
    ),
    TWO_FACTOR_TEMP_TOKEN_MAX_FAILURES: integer(5, 1, 100),
    TWO_FACTOR_USER_MAX_FAILURES: integer(10, 1, 1000),
    TWO_FACTOR_USER_LOCK_SECONDS: integer(900, 1, 7 * 24 * 3600),
    TWO_FACTOR_USER_DAILY_MAX_FAILURES: integer(50, 1, 10_000),
    TWO_FACTOR_IP_MAX_FAILURES: integer(30, 1, 100_000),
    TWO_FACTOR_IP_WINDOW_SECONDS: integer(900, 1, 7 * 24 * 3600),
    LOGIN_IP_EMAIL_MAX_FAILURES: integer(10, 1, 10_000),
    LOGIN_IP_EMAIL_WINDOW_SECONDS: integer(900, 1, 7 * 24 * 3600),
    LOGIN_IP_MAX_FAILURES: integer(100, 1, 1_000_000),
    LOGIN_IP_WINDOW_SECONDS: integer(900, 1, 7 * 24 * 3600),
    LOGIN_EMAIL_MAX_FAILURES: integer(20, 1, 100_000),
    LOGIN_EMAIL_WINDOW_SECONDS: integer(3600, 1, 7 * 24 * 3600),
    LOGIN_DEVICE_MAX_FAILURES: integer(10, 1, 10_000),
    LOGIN_EMAIL_DEVICES_MAX_FAILURES: integer(20, 1, 100_000),
    SMS_TEST_ADMIN_MAX_PER_HOUR: integer(10, 1, 10_000),
    SMS_TEST_IP_MAX_PER_HOUR: integer(20, 1, 100_000),
    REGISTER_IP_MAX_PER_HOUR: integer(20, 1, 1_000_000),
    REGISTER_GLOBAL_MAX_PER_HOUR: integer(1000, 1, 10_000_000),
    SMS_ALLOWED_COUNTRIES: countryList,
    // A missing Twilio setting does not stop the server (SMS is "not configured" and System
    // status names what to set); a malformed one does, naming the variable, so a typo is
    // found at deploy time rather than on the status page.
    TWILIO_ACCOUNT_SID: twilioSetting('TWILIO_ACCOUNT_SID'),
    TWILIO_AUTH_TOKEN: twilioSetting('TWILIO_AUTH_TOKEN'),
    TWILIO_API_KEY_SID: twilioSetting('TWILIO_API_KEY_SID'),
    TWILIO_API_KEY_SECRET: twilioSetting('TWILIO_API_KEY_SECRET'),
    TWILIO_FROM_NUMBER: twilioSetting('TWILIO_FROM_NUMBER'),
    TWILIO_MESSAGING_SERVICE_SID: twilioSetting('TWILIO_MESSAGING_SERVICE_SID'),
    TWILIO_API_BASE_URL: z.preprocess(
      emptyToUndefined,
      z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as http://127.0.0.1:4010 (the Twilio fake)' }).optional(),
    ),
    TWILIO_TIMEOUT_MS: integer(10_000, 50, 120_000),
    INTEGRATION_CHECK_INTERVAL_SECONDS: integer(300, 1, 24 * 3600),
  })
  .superRefine((env, ctx) => {
    if (env.SESSION_IDLE_SECONDS > env.SESSION_ABSOLUTE_SECONDS) {
      ctx.addIssue({ code: 'custom', path: ['SESSION_IDLE_SECONDS'], message: 'must not exceed SESSION_ABSOLUTE_SECONDS' });
    }
    if (env.NODE_ENV === 'production' && !env.APP_ENC_KEY) {
      ctx.addIssue({
        code: 'custom',
        path: ['APP_ENC_KEY'],
        message: 'is required when NODE_ENV=production (32 random bytes in base64: openssl rand -base64 32)',
      });
    }
    // Pointing the SDK elsewhere sends the Twilio credentials there (over plain HTTP for the
    // fake): a test-only switch that production must never honour.
    if (env.NODE_ENV === 'production' && env.TWILIO_API_BASE_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['TWILIO_API_BASE_URL'],
        message: 'is refused when NODE_ENV=production (it exists only to point the Twilio client at the fake)',
      });
    }
  });

export type Env = z.infer<typeof envSchema>;

export interface Config {
  isProduction: boolean;
  host: string;
  port: number;
  dataDir: string;
  databaseUrl: string | undefined;
  databasePoolMax: number;
  redisUrl: string | undefined;
  logLevel: Env['LOG_LEVEL'];
  publicUrl: string | undefined;
  allowedOrigins: string[];
  trustProxy: boolean | number | string[];
  /** Admin routes need an AAL2 session (default: on in production). */
  adminRequire2fa: boolean;
  encryption: { currentKeyBase64: string | undefined; oldKeysBase64: string[] };
  session: { idleSeconds: number; absoluteSeconds: number };
  twoFactor: { freshSeconds: number; tempTokenTtlSeconds: number; issuer: string };
  serveWeb: boolean;
  limits: LimitsConfig;
  twilio: TwilioConfig;
  sms: SmsConfig;
  integrations: { checkIntervalSeconds: number };
}

/** Raw Twilio settings; integrations/twilio/settings.ts decides whether they are usable. */
export interface TwilioConfig {
  accountSid: string | undefined;
  authToken: string | undefined;
  apiKeySid: string | undefined;
  apiKeySecret: string | undefined;
  fromNumber: string | undefined;
  messagingServiceSid: string | undefined;
  /** Test-only base URL replacing https://api.twilio.com (refused in production). */
  apiBaseUrl: string | undefined;
  timeoutMs: number;
}

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

/** Throttle thresholds; every one is an env variable documented in the README. */
export interface LimitsConfig {
  redisKeyPrefix: string;
  tempTokenMaxFailures: number;
  twoFactorUserMaxFailures: number;
  twoFactorUserLockSeconds: number;
  twoFactorUserDailyMaxFailures: number;
  twoFactorIpMaxFailures: number;
  twoFactorIpWindowSeconds: number;
  loginIpEmailMaxFailures: number;
  loginIpEmailWindowSeconds: number;
  loginIpMaxFailures: number;
  loginIpWindowSeconds: number;
  loginEmailMaxFailures: number;
  loginEmailWindowSeconds: number;
  loginDeviceMaxFailures: number;
  /** Wrong passwords per email across all its device cookies together, per LOGIN_EMAIL_WINDOW_SECONDS. */
  loginEmailDevicesMaxFailures: number;
  smsTestAdminMaxPerHour: number;
  smsTestIpMaxPerHour: number;
  registerIpMaxPerHour: number;
  registerGlobalMaxPerHour: number;
}

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

/** "ALLOWED_ORIGINS (entry 2) must …": the variable first, a list entry by its position (never its text). */
function describeIssue(issue: z.core.$ZodIssue): string {
  const [variable, ...rest] = issue.path;
  const entry = rest.length > 0 && typeof rest[0] === 'number' ? ` (entry ${rest[0] + 1})` : '';
  return `${variable === undefined ? 'environment' : String(variable)}${entry} ${issue.message}`;
}

/** Parses the environment; throws ConfigError naming every bad variable (never its value: it may be a secret). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const removed = Object.entries(REMOVED_VARIABLES)
    .filter(([name]) => (env[name] ?? '').trim() !== '')
    .map(([name, message]) => `${name} ${message}`);
  const parsed = envSchema.safeParse(env);
  if (!parsed.success || removed.length > 0) {
    const issues = parsed.success ? [] : parsed.error.issues.map(describeIssue);
    throw new ConfigError([...removed, ...issues]);
  }
  const e = parsed.data;
  return {
    isProduction: e.NODE_ENV === 'production',
    host: e.HOST,
    port: e.PORT,
    dataDir: path.resolve(e.DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    databasePoolMax: e.DATABASE_POOL_MAX,
    redisUrl: e.REDIS_URL,
    logLevel: e.LOG_LEVEL,
    publicUrl: e.PUBLIC_URL?.replace(/\/+$/, ''),
    allowedOrigins: e.ALLOWED_ORIGINS,
    trustProxy: e.TRUST_PROXY,
    adminRequire2fa: e.ADMIN_REQUIRE_2FA ?? e.NODE_ENV === 'production',
    encryption: { currentKeyBase64: e.APP_ENC_KEY, oldKeysBase64: e.APP_ENC_KEYS_OLD },
    session: { idleSeconds: e.SESSION_IDLE_SECONDS, absoluteSeconds: e.SESSION_ABSOLUTE_SECONDS },
    twoFactor: {
      freshSeconds: e.TWO_FACTOR_FRESH_SECONDS,
      tempTokenTtlSeconds: e.TWO_FACTOR_TEMP_TOKEN_TTL,
      issuer: e.TOTP_ISSUER,
    },
    serveWeb: e.SERVE_WEB,
    limits: {
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
      loginEmailDevicesMaxFailures: e.LOGIN_EMAIL_DEVICES_MAX_FAILURES,
      smsTestAdminMaxPerHour: e.SMS_TEST_ADMIN_MAX_PER_HOUR,
      smsTestIpMaxPerHour: e.SMS_TEST_IP_MAX_PER_HOUR,
      registerIpMaxPerHour: e.REGISTER_IP_MAX_PER_HOUR,
      registerGlobalMaxPerHour: e.REGISTER_GLOBAL_MAX_PER_HOUR,
    },
    twilio: {
      accountSid: e.TWILIO_ACCOUNT_SID,
      authToken: e.TWILIO_AUTH_TOKEN,
      apiKeySid: e.TWILIO_API_KEY_SID,
      apiKeySecret: e.TWILIO_API_KEY_SECRET,
      fromNumber: e.TWILIO_FROM_NUMBER,
      messagingServiceSid: e.TWILIO_MESSAGING_SERVICE_SID,
      apiBaseUrl: e.TWILIO_API_BASE_URL?.replace(/\/+$/, ''),
      timeoutMs: e.TWILIO_TIMEOUT_MS,
    },
    sms: resolveSmsAllowedCountries(e.SMS_ALLOWED_COUNTRIES, e.TWILIO_FROM_NUMBER),
    integrations: { checkIntervalSeconds: e.INTEGRATION_CHECK_INTERVAL_SECONDS },
  };
}
