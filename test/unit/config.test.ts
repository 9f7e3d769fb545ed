import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/server/config';

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
