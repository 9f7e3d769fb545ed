import { describe, expect, it } from 'vitest';
import type { TwilioConfig } from '../../src/server/config';
import { resolveTwilioSettings } from '../../src/server/integrations/twilio/settings';

const SID = `AC${'0a'.repeat(16)}`;
const KEY = `SK${'0b'.repeat(16)}`;
const base: TwilioConfig = {
  accountSid: undefined,
  authToken: undefined,
  apiKeySid: undefined,
  apiKeySecret: undefined,
  fromNumber: undefined,
  messagingServiceSid: undefined,
  apiBaseUrl: undefined,
  timeoutMs: 10_000,
};

describe('resolveTwilioSettings', () => {
  it('nothing set → not configured, naming what to set', () => {
    const resolved = resolveTwilioSettings(base);
    expect(resolved.configured).toBe(false);
    expect(resolved.problems).toEqual([
      'TWILIO_ACCOUNT_SID is not set',
      'set TWILIO_AUTH_TOKEN, or TWILIO_API_KEY_SID and TWILIO_API_KEY_SECRET',
      'set TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID',
    ]);
  });

  it('malformed values are named, never echoed', () => {
    const secret = 'secret with spaces';
    const resolved = resolveTwilioSettings({ ...base, accountSid: 'AC123', authToken: secret, fromNumber: '5005550006', messagingServiceSid: 'MGx' });
    expect(resolved.configured).toBe(false);
    expect(resolved.problems.join('\n')).toMatch(/TWILIO_ACCOUNT_SID must be AC/);
    expect(resolved.problems.join('\n')).toMatch(/TWILIO_FROM_NUMBER must be an E.164/);
    expect(resolved.problems.join('\n')).toMatch(/TWILIO_MESSAGING_SERVICE_SID must be MG/);
    expect(resolved.problems.join('\n')).not.toContain(secret);
  });

  it('half an API key pair is not configured', () => {
    const resolved = resolveTwilioSettings({ ...base, accountSid: SID, apiKeySid: KEY, fromNumber: '+15005550006' });
    expect(resolved.problems).toEqual(['TWILIO_API_KEY_SECRET is not set (TWILIO_API_KEY_SID is)']);
  });

  it('auth token → basic auth with the account SID; API key preferred when both are set', () => {
    const token = resolveTwilioSettings({ ...base, accountSid: SID, authToken: 'tok', fromNumber: '+15005550006' });
    expect(token.settings?.auth).toEqual({ kind: 'auth_token', username: SID, password: 'tok' });
    const both = resolveTwilioSettings({ ...base, accountSid: SID, authToken: 'tok', apiKeySid: KEY, apiKeySecret: 'sec', messagingServiceSid: `MG${'0c'.repeat(16)}` });
    expect(both.settings?.auth).toEqual({ kind: 'api_key', username: KEY, password: 'sec' });
    expect(both.settings?.authToken).toBe('tok');
  });
});
