import { describe, expect, it } from 'vitest';
import { envSchema, loadConfig } from '../../src/server/config';
import { camelCaseSetting, configFromOptions, type ProofgateOptions } from '../../src/server/settings/options';

/** createProofgate's options are the environment settings camelCased, parsed by the same rules. */
describe('options derived from the settings definition', () => {
  it('names every variable once, camelCased, and nothing else', () => {
    const names = Object.keys(envSchema.shape).map(camelCaseSetting);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toContain('databaseUrl');
    expect(names).toContain('twoFactorUserMaxFailures');
    expect(names).toContain('adminRequire2fa');
    expect(names).toContain('twoFactorTempTokenTtl');
  });

  it('with no options, gives the environment defaults except serveWeb (off when mounted)', () => {
    const fromOptions = configFromOptions({}, { serveWeb: false });
    const fromEnv = loadConfig({ NODE_ENV: process.env.NODE_ENV });
    expect({ ...fromOptions, serveWeb: true }).toEqual({ ...fromEnv, serveWeb: true });
    expect(fromOptions.serveWeb).toBe(false);
  });

  it('takes typed values: numbers, booleans, lists and trustProxy forms', () => {
    const options: ProofgateOptions = {
      port: 4000,
      adminRequire2fa: true,
      allowedOrigins: ['https://a.example', 'https://b.example'],
      smsAllowedCountries: ['US', 'CA'],
      trustProxy: ['loopback', '10.0.0.0/8'],
      twoFactorUserMaxFailures: 7,
      databaseSchema: 'auth_gate',
    };
    const config = configFromOptions(options);
    expect(config.port).toBe(4000);
    expect(config.adminRequire2fa).toBe(true);
    expect(config.allowedOrigins).toEqual(['https://a.example', 'https://b.example']);
    expect(config.sms.allowedCountries).toEqual(['US', 'CA']);
    expect(config.trustProxy).toEqual(['loopback', '10.0.0.0/8']);
    expect(config.limits.twoFactorUserMaxFailures).toBe(7);
    expect(config.databaseSchema).toBe('auth_gate');
    expect(configFromOptions({ trustProxy: 2 }).trustProxy).toBe(2);
    expect(configFromOptions({ trustProxy: false }).trustProxy).toBe(false);
  });

  it('refuses a cross-setting rule by the option names too', () => {
    expect(() => configFromOptions({ sessionIdleSeconds: 7200, sessionAbsoluteSeconds: 3600 })).toThrow(/sessionIdleSeconds must not exceed/);
  });
});
