import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { ConfigError, envSchema, loadConfig, REMOVED_VARIABLES } from '../../src/server/config';
import { CHILD_PROCESS_TEST_TIMEOUT_MS } from '../support/timeouts';

const run = promisify(execFile);

/**
 * The environment is refused with a message that names `variable` in the project's words (not
 * a library's "Invalid option" or a TypeError) and contains none of the values given: they may
 * be secrets, and the message goes to logs.
 */
function expectRefused(env: Record<string, string>, variable: string, wording: RegExp): void {
  let message = '';
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    message = (error as Error).message;
  }
  const label = `${variable}=${JSON.stringify(env[variable])}`;
  expect(message, label).toContain(variable);
  expect(message, label).toMatch(wording);
  expect(message, label).not.toMatch(/Invalid (option|input)|TypeError|expected/);
  for (const value of Object.values(env)) expect(message, label).not.toContain(value);
}

describe('loadConfig', () => {
  it('has working defaults with an empty environment', () => {
    const config = loadConfig({});
    expect(config.host).toBe('127.0.0.1');
    expect(config.port).toBe(3000);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.trustProxy).toBe(false);
    expect(config.session).toEqual({ idleSeconds: 1800, absoluteSeconds: 43200, cacheMs: 500 });
    expect(config.twoFactor.freshSeconds).toBe(600);
    expect(config.twoFactor.tempTokenTtlSeconds).toBe(300);
  });

  it('names every bad variable and never echoes its value', () => {
    const secret = 'c2VjcmV0LW5vdC0zMi1ieXRlcw==';
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', APP_ENC_KEY: secret, TRUST_PROXY: '' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const message = (error as Error).message;
      expect(message).toContain('PORT');
      expect(message).toContain('DATABASE_URL');
      expect(message).toContain('APP_ENC_KEY');
      expect(message).not.toContain(secret);
    }
  });

  it('requires APP_ENC_KEY in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/APP_ENC_KEY is required/);
  });

  it('refuses TWILIO_API_BASE_URL in production, accepts it elsewhere, defaults the Twilio timeout to 10 s', () => {
    const key = Buffer.alloc(32, 1).toString('base64');
    expect(() => loadConfig({ NODE_ENV: 'production', APP_ENC_KEY: key, TWILIO_API_BASE_URL: 'http://127.0.0.1:4010' })).toThrow(
      /TWILIO_API_BASE_URL is refused when NODE_ENV=production/,
    );
    expect(loadConfig({ TWILIO_API_BASE_URL: 'http://127.0.0.1:4010/' }).twilio.apiBaseUrl).toBe('http://127.0.0.1:4010');
    expect(loadConfig({}).twilio.timeoutMs).toBe(10_000);
    expect(loadConfig({}).integrations.checkIntervalSeconds).toBe(300);
    expect(loadConfig({}).limits).toMatchObject({ smsTestAdminMaxPerHour: 10, smsTestIpMaxPerHour: 20 });
  });

  it('registration limits: 20 per IP and 1000 in all per hour by default; zero or text is refused by name', () => {
    expect(loadConfig({}).limits).toMatchObject({ registerIpMaxPerHour: 20, registerGlobalMaxPerHour: 1000 });
    expect(loadConfig({ REGISTER_IP_MAX_PER_HOUR: '5', REGISTER_GLOBAL_MAX_PER_HOUR: '50' }).limits).toMatchObject({
      registerIpMaxPerHour: 5,
      registerGlobalMaxPerHour: 50,
    });
    expect(() => loadConfig({ REGISTER_IP_MAX_PER_HOUR: '0' })).toThrow(/REGISTER_IP_MAX_PER_HOUR must be at least 1/);
    expect(() => loadConfig({ REGISTER_GLOBAL_MAX_PER_HOUR: 'many' })).toThrow(/REGISTER_GLOBAL_MAX_PER_HOUR/);
  });

  it('SMS_ALLOWED_COUNTRIES: defaults to the sender number\'s country, to none without one, and refuses what is not ISO 3166-1 alpha-2', () => {
    expect(loadConfig({ TWILIO_FROM_NUMBER: '+15005550006' }).sms).toEqual({ allowedCountries: ['US'], allowedCountriesFrom: 'TWILIO_FROM_NUMBER' });
    expect(loadConfig({ TWILIO_FROM_NUMBER: '+447400123456' }).sms.allowedCountries).toEqual(['GB']);
    expect(loadConfig({ TWILIO_MESSAGING_SERVICE_SID: `MG${'ef'.repeat(16)}` }).sms).toEqual({ allowedCountries: [], allowedCountriesFrom: 'none' });
    expect(loadConfig({ TWILIO_FROM_NUMBER: '+8823900000001' }).sms.allowedCountries).toEqual([]);
    expect(loadConfig({ SMS_ALLOWED_COUNTRIES: ' us, CA ,us', TWILIO_FROM_NUMBER: '+447400123456' }).sms).toEqual({
      allowedCountries: ['US', 'CA'],
      allowedCountriesFrom: 'SMS_ALLOWED_COUNTRIES',
    });
    expect(loadConfig({ SMS_ALLOWED_COUNTRIES: '' }).sms.allowedCountriesFrom).toBe('none');
    for (const bad of ['UK', 'USA', 'US;CA', '*', '1', 'XX']) {
      expect(() => loadConfig({ SMS_ALLOWED_COUNTRIES: bad }), bad).toThrow(/SMS_ALLOWED_COUNTRIES must be a comma-separated list of ISO 3166-1 alpha-2/);
    }
  });

  it('the README table, .env.example and the schema name the same variables', () => {
    const root = path.resolve(import.meta.dirname, '../..');
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    const example = fs.readFileSync(path.join(root, '.env.example'), 'utf8');
    const variables = Object.keys(envSchema.shape);
    expect(variables).toContain('SMS_ALLOWED_COUNTRIES');
    expect(variables.filter((name) => !readme.includes(`| \`${name}\``) && !readme.includes(` / \`${name}\``))).toEqual([]);
    expect(variables.filter((name) => !new RegExp(`^${name}=`, 'm').test(example))).toEqual([]);
    // A removed variable is refused at start (outside the schema): the README says so, .env.example must not set it.
    for (const name of Object.keys(REMOVED_VARIABLES)) {
      expect(Object.keys(envSchema.shape)).not.toContain(name);
      expect(() => loadConfig({ [name]: 'anything' })).toThrow(new RegExp(`^Invalid configuration:\\n  - ${name} `));
      expect(readme).toContain(`\`${name}\``);
      expect(example).not.toMatch(new RegExp(`^${name}=`, 'm'));
    }
  });

  it('the README\'s Default column and .env.example\'s values are the schema\'s defaults', () => {
    const root = path.resolve(import.meta.dirname, '../..');
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    const example = fs.readFileSync(path.join(root, '.env.example'), 'utf8');
    const shape = envSchema.shape as Record<string, z.ZodType>;
    const parse = (name: string, value: string | undefined) => {
      const result = shape[name]!.safeParse(value);
      return result.success ? { value: result.data } : { invalid: true };
    };
    // Defaults the README describes rather than states, because loadConfig computes them from
    // other settings: the schema leaves them unset and the README must not show a literal.
    const computed: Record<string, string> = {
      ADMIN_REQUIRE_2FA: '`true` in production, else `false`',
      SMS_ALLOWED_COUNTRIES: 'country of `TWILIO_FROM_NUMBER`; none without one',
    };

    // | `A` / `B` | `1` / `2` | … : one default per name, or one for all of them.
    const rows = [...readme.matchAll(/^\| (`[A-Z0-9_]+`(?: \/ `[A-Z0-9_]+`)*) \| ([^|]+) \|/gm)];
    const readmeDefaults = new Map<string, string>();
    for (const [, names, defaults] of rows) {
      const nameList = names!.split(' / ').map((n) => n.replaceAll('`', ''));
      const defaultList = defaults!.trim().split(' / ');
      nameList.forEach((name, i) => readmeDefaults.set(name, (defaultList.length === nameList.length ? defaultList[i] : defaults!.trim())!));
    }
    const mismatches: string[] = [];
    for (const name of Object.keys(shape)) {
      const unset = parse(name, undefined);
      const documented = readmeDefaults.get(name);
      if (documented === undefined) {
        mismatches.push(`${name}: no README row`);
      } else if (name in computed) {
        if (documented !== computed[name]) mismatches.push(`${name}: README default "${documented}", expected "${computed[name]}"`);
        const v = (unset as { value: unknown }).value;
        if (!(v === undefined || (Array.isArray(v) && v.length === 0))) mismatches.push(`${name}: the schema sets a default loadConfig should compute`);
      } else if (documented === 'unset') {
        if (!('value' in unset) || unset.value !== undefined) mismatches.push(`${name}: README says unset, the schema defaults it`);
      } else if (documented === 'empty') {
        if (!('value' in unset) || !Array.isArray(unset.value) || unset.value.length > 0) mismatches.push(`${name}: README says empty, the schema disagrees`);
      } else {
        const literal = /^`([^`]*)`$/.exec(documented)?.[1];
        if (literal === undefined) mismatches.push(`${name}: README default "${documented}" is neither unset, empty nor a \`literal\``);
        else expect(parse(name, literal), `${name}: README default ${documented}`).toEqual(unset);
      }

      const line = new RegExp(`^${name}=(.*)$`, 'm').exec(example);
      const exampleValue = line?.[1]?.trim();
      if (exampleValue === undefined) {
        mismatches.push(`${name}: no .env.example line`);
      } else if (exampleValue === '') {
        // An empty line means "leave it unset", which is only honest when the README says so too.
        if (documented !== 'unset' && documented !== 'empty' && !(name in computed)) mismatches.push(`${name}: .env.example leaves empty what the README defaults to ${documented}`);
      } else {
        expect(parse(name, exampleValue), `${name}: .env.example value`).toEqual(unset);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('parses TRUST_PROXY as Express does', () => {
    expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8' }).trustProxy).toEqual(['loopback', '10.0.0.0/8']);
  });

  it('refuses a TRUST_PROXY that Express would not compile (or would read as something else), by name', () => {
    for (const good of ['loopback, 10.0.0.0/8', 'fd00::/8', '10.0.0.0/255.0.0.0', '::1', '192.0.2.7', 'linklocal,uniquelocal']) {
      expect(() => loadConfig({ TRUST_PROXY: good }), good).not.toThrow();
    }
    expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: ' false ' }).trustProxy).toBe(false);
    // '2' inside a list would be read by ipaddr.js as the address 0.0.0.2, and /0 would trust everyone.
    for (const bad of ['maybe', '10.0.0.0/33', '10.0.0.0/0', 'loopback,2', '1.2.3', '10.0.0.0/255.0.255.0', 'fd00::/129', 'loopback,,linklocal', 'yes']) {
      expectRefused({ TRUST_PROXY: bad }, 'TRUST_PROXY', /TRUST_PROXY must be false, true, a hop count/);
    }
  });

  it('names the allowed LOG_LEVEL values in its own words', () => {
    expectRefused({ LOG_LEVEL: 'loud' }, 'LOG_LEVEL', /LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent/);
  });

  it('refuses a malformed TWILIO_* setting at start, naming it and never echoing it', () => {
    const hex = 'ab'.repeat(16);
    const cases: [string, string][] = [
      ['TWILIO_ACCOUNT_SID', `SK${hex}`],
      ['TWILIO_ACCOUNT_SID', `AC${hex}0`],
      ['TWILIO_API_KEY_SID', `AC${hex}`],
      ['TWILIO_MESSAGING_SERVICE_SID', `MGzz${hex.slice(2)}`],
      ['TWILIO_FROM_NUMBER', '4155550100'],
      ['TWILIO_FROM_NUMBER', '+1 415 555 0100'],
      ['TWILIO_AUTH_TOKEN', 'secret token-with-a-space'],
      ['TWILIO_API_KEY_SECRET', 'another secret\twith-a-tab'],
    ];
    for (const [name, value] of cases) expectRefused({ [name]: value }, name, new RegExp(`${name} must`));
    // Well-formed but incomplete settings still start: SMS is "not configured" and System status names what to set.
    expect(() => loadConfig({ TWILIO_ACCOUNT_SID: `AC${hex}` })).not.toThrow();
    expect(() => loadConfig({ TWILIO_API_KEY_SID: `SK${hex}`, TWILIO_MESSAGING_SERVICE_SID: `MG${hex}`, TWILIO_FROM_NUMBER: '+15005550006' })).not.toThrow();
  });

  it('refuses a HOST, PUBLIC_URL, NODE_ENV or TOTP_ISSUER it cannot use, by name', () => {
    for (const good of ['0.0.0.0', '::', '::1', 'localhost', 'proofgate-1.internal']) expect(() => loadConfig({ HOST: good }), good).not.toThrow();
    for (const bad of ['not a host', '[::1]', 'http://127.0.0.1', 'host_name', '-leading.example']) expectRefused({ HOST: bad }, 'HOST', /HOST must be an IP address/);
    expectRefused({ PUBLIC_URL: 'ftp://proofgate.example.com' }, 'PUBLIC_URL', /PUBLIC_URL must be an http\(s\) URL/);
    expectRefused({ PUBLIC_URL: 'https://admin:hunter2@proofgate.example.com' }, 'PUBLIC_URL', /PUBLIC_URL must be a base URL/);
    expectRefused({ PUBLIC_URL: 'https://proofgate.example.com/?token=abc' }, 'PUBLIC_URL', /PUBLIC_URL must be a base URL/);
    expect(loadConfig({ PUBLIC_URL: 'https://example.com/auth/' }).publicUrl).toBe('https://example.com/auth');
    expectRefused({ NODE_ENV: 'staging' }, 'NODE_ENV', /NODE_ENV must be development, production or test/);
    expectRefused({ TOTP_ISSUER: 'x'.repeat(65) }, 'TOTP_ISSUER', /TOTP_ISSUER must be 1-64 characters/);
  });

  it('every variable that can be wrong is refused by name, in our words, without its value', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    // One bad value per variable; a new variable must be added here (or to the free-form list).
    const bad: Record<string, string> = {
      NODE_ENV: 'staging',
      HOST: 'two words',
      PORT: '70000',
      DATABASE_URL: 'mysql://root:pw-7f3a@db/x',
      DATABASE_POOL_MAX: '0',
      DATABASE_SCHEMA: 'Public',
      REDIS_URL: 'redis://:pw 9c1e@[bad',
      LOG_LEVEL: 'loud',
      PUBLIC_URL: 'not a url',
      ALLOWED_ORIGINS: 'https://app.example.com/path',
      TRUST_PROXY: 'maybe',
      ADMIN_EMAILS: 'boss@example.com',
      ADMIN_REQUIRE_2FA: 'sometimes',
      APP_ENC_KEY: 'c2VjcmV0LW5vdC0zMi1ieXRlcw==',
      APP_ENC_KEYS_OLD: `${key},c2hvcnQta2V5LXNlY3JldA==`,
      SESSION_IDLE_SECONDS: '59',
      SESSION_ABSOLUTE_SECONDS: 'forever',
      SESSION_CACHE_MS: '1001',
      TWO_FACTOR_FRESH_SECONDS: '1.5',
      TWO_FACTOR_TEMP_TOKEN_TTL: '-1',
      TWO_FACTOR_REMEMBER_DAYS: '400',
      TOTP_ISSUER: 'y'.repeat(65),
      SERVE_WEB: 'perhaps',
      REDIS_KEY_PREFIX: 'has space',
      TWILIO_ACCOUNT_SID: 'ACnot-a-sid-4b1d',
      TWILIO_AUTH_TOKEN: 'tok en-5e6f',
      TWILIO_API_KEY_SID: 'SKshort-8d2c',
      TWILIO_API_KEY_SECRET: 'sec ret-0a9b',
      TWILIO_FROM_NUMBER: '555-0100',
      TWILIO_MESSAGING_SERVICE_SID: 'MGshort-3c4d',
      TWILIO_API_BASE_URL: 'file:///etc/passwd',
      TWILIO_TIMEOUT_MS: '10',
      INTEGRATION_CHECK_INTERVAL_SECONDS: '0',
      SMS_ALLOWED_COUNTRIES: 'UK',
      SMTP_URL: 'http://mailer:pw-5d2e@relay.example.com',
      MAIL_FROM: 'no-reply@example.com\r\nBcc: x@example.com',
      SMTP_TIMEOUT_MS: '5',
      PASSWORD_RESET_TTL: '10',
      THROTTLE_REFUSAL_DELAY_MS: '10001',
      AUDIT_RETENTION_DAYS: '-1',
    };
    const limitVariables = Object.keys(envSchema.shape).filter((name) => /_(MAX_FAILURES|WINDOW_SECONDS|LOCK_SECONDS|MAX_PER_HOUR)$/.test(name));
    for (const name of limitVariables) bad[name] = '0';
    // Free-form: any non-empty path is a valid DATA_DIR (a missing one is created at start).
    const freeForm = ['DATA_DIR'];
    expect(Object.keys(envSchema.shape).filter((name) => !(name in bad) && !freeForm.includes(name))).toEqual([]);
    for (const [name, value] of Object.entries(bad)) {
      expectRefused({ [name]: value }, name, new RegExp(`${name}( \\(entry \\d+\\))? (must|no longer|is )`));
    }
  });

  it('refuses an idle timeout longer than the absolute lifetime', () => {
    expect(() => loadConfig({ SESSION_IDLE_SECONDS: '7200', SESSION_ABSOLUTE_SECONDS: '3600' })).toThrow(/SESSION_IDLE_SECONDS/);
  });
});

describe('server start-up with a bad environment', () => {
  it('prints one clear error naming the variable, no stack trace, exit code 1', { timeout: CHILD_PROCESS_TEST_TIMEOUT_MS }, async () => {
    const result = await run('npx', ['tsx', 'src/server/main.ts'], {
      env: { ...process.env, PORT: 'not-a-port', TRUST_PROXY: 'maybe', DATA_DIR: '/nonexistent' },
    }).catch((error: { code: number; stderr: string; stdout: string }) => error);
    expect((result as { code: number }).code).toBe(1);
    const stderr = (result as { stderr: string }).stderr;
    expect(stderr).toContain('Invalid configuration');
    expect(stderr).toContain('PORT');
    expect(stderr).toContain('TRUST_PROXY must be');
    expect(stderr).not.toContain('maybe');
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
