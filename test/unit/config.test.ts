import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError, envSchema, loadConfig } from '../../src/server/config';

const run = promisify(execFile);

describe('loadConfig', () => {
  it('has working defaults with an empty environment', () => {
    const config = loadConfig({});
    expect(config.host).toBe('127.0.0.1');
    expect(config.port).toBe(3000);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.trustProxy).toBe(false);
    expect(config.session).toEqual({ idleSeconds: 1800, absoluteSeconds: 43200 });
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
  });

  it('parses TRUST_PROXY as Express does', () => {
    expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8' }).trustProxy).toEqual(['loopback', '10.0.0.0/8']);
  });

  it('refuses an idle timeout longer than the absolute lifetime', () => {
    expect(() => loadConfig({ SESSION_IDLE_SECONDS: '7200', SESSION_ABSOLUTE_SECONDS: '3600' })).toThrow(/SESSION_IDLE_SECONDS/);
  });
});

describe('server start-up with a bad environment', () => {
  it('prints one clear error naming the variable, no stack trace, exit code 1', async () => {
    const result = await run('npx', ['tsx', 'src/server/main.ts'], {
      env: { ...process.env, PORT: 'not-a-port', DATA_DIR: '/nonexistent' },
    }).catch((error: { code: number; stderr: string; stdout: string }) => error);
    expect((result as { code: number }).code).toBe(1);
    const stderr = (result as { stderr: string }).stderr;
    expect(stderr).toContain('Invalid configuration');
    expect(stderr).toContain('PORT');
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
