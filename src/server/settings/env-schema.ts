import { z } from 'zod';
import {
  base64Key,
  booleanFlag,
  commaList,
  countryList,
  emptyToUndefined,
  HOSTNAME,
  integer,
  isAddress,
  LOG_LEVELS,
  mailFrom,
  originList,
  postgresUrl,
  publicUrl,
  redisUrl,
  smtpUrl,
  trustProxy,
  twilioSetting,
} from './fields';

/**
 * The one definition of every setting: its environment name, value rule and default. The env
 * parser (config.ts loadConfig) and the typed createProofgate options (settings/options.ts,
 * each name camelCased) are both derived from it, so a setting is written once.
 */
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
    // Proofgate's tables live in this PostgreSQL schema, so a host application's database keeps
    // its own tables (a host may have a "users" table of its own in public).
    DATABASE_SCHEMA: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .regex(/^[a-z_][a-z0-9_]{0,62}$/, { error: 'must be 1-63 lower-case letters, digits or _, not starting with a digit (a PostgreSQL schema name)' })
        .refine((v) => !v.startsWith('pg_') && v !== 'public' && v !== 'information_schema', {
          error: 'must be a schema of its own (not public, information_schema or pg_*), so Proofgate never touches the host\'s tables',
        })
        .default('proofgate'),
    ),
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
    /** How long an instance may answer a session check from memory; 0 turns the cache off. At most 1 s: the revocation bound across instances. */
    SESSION_CACHE_MS: integer(500, 0, 1000),
    TWO_FACTOR_FRESH_SECONDS: integer(600, 30, 24 * 3600),
    TWO_FACTOR_TEMP_TOKEN_TTL: integer(300, 5, 3600),
    /** "Remember this browser" after a passed second factor; 0 turns the feature off. */
    TWO_FACTOR_REMEMBER_DAYS: integer(30, 0, 365),
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
    THROTTLE_REFUSAL_DELAY_MS: integer(1000, 0, 10_000),
    LOGIN_EMAIL_DEVICES_MAX_FAILURES: integer(20, 1, 100_000),
    SMS_TEST_ADMIN_MAX_PER_HOUR: integer(10, 1, 10_000),
    SMS_TEST_IP_MAX_PER_HOUR: integer(20, 1, 100_000),
    REGISTER_IP_MAX_PER_HOUR: integer(20, 1, 1_000_000),
    REGISTER_GLOBAL_MAX_PER_HOUR: integer(1000, 1, 10_000_000),
    PASSKEY_OPTIONS_IP_MAX_PER_HOUR: integer(600, 1, 1_000_000),
    PASSKEY_OPTIONS_GLOBAL_MAX_PER_HOUR: integer(20_000, 1, 10_000_000),
    SESSION_WRITES_MAX_PER_HOUR: integer(600, 1, 1_000_000),
    MAIL_NOTICES_ACCOUNT_MAX_PER_HOUR: integer(20, 1, 10_000),
    AUDIT_RETENTION_DAYS: integer(365, 0, 36_500),
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
    SMTP_URL: smtpUrl,
    MAIL_FROM: mailFrom,
    PASSWORD_RESET_TTL: integer(1800, 60, 24 * 3600),
    PASSWORD_FORGOT_IP_MAX_PER_HOUR: integer(20, 1, 100_000),
    PASSWORD_FORGOT_EMAIL_MAX_PER_HOUR: integer(5, 1, 1000),
    SMTP_TIMEOUT_MS: integer(10_000, 100, 120_000),
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
