import { describe, expect, it } from 'vitest';
import { checkSmsDestination, countryOfNumber, describeSmsDestinationRefusal, isCountryCode, isE164, normalizePhoneInput } from '../../src/common/phone';
import { composeTestSmsBody, SMS_TEST_NOTE_MAX_CHARS, smsTestNoteProblem } from '../../src/common/sms-test-text';

const US = ['US'];

function reasonOf(to: string, allowed: readonly string[] = US): string {
  const check = checkSmsDestination(to, allowed);
  return check.allowed ? 'allowed' : check.reason;
}

describe('SMS destination rule (src/common/phone.ts) and test text (src/common/sms-test-text.ts)', () => {
  it('refuses the issue\'s toll-fraud numbers: satellite +882, premium-rate +1 900, a Nigerian mobile where only US is allowed', () => {
    expect(reasonOf('+8823900000001')).toBe('non_geographic');
    expect(reasonOf('+19005550100')).toBe('premium_rate');
    expect(reasonOf('+2347010000000')).toBe('country_not_allowed');
  });

  it('refuses every global service code, valid or not, even with every country allowed', () => {
    const everyCountry = ['US', 'GB', 'NG', 'FR'];
    for (const to of ['+870773110000', '+881612345678', '+883510000000000', '+8823900000001', '+80012345678', '+979123456789']) {
      expect(reasonOf(to, everyCountry), to).toBe('non_geographic');
    }
  });

  it('refuses premium-rate and shared-cost numbers of an allowed country by their libphonenumber type', () => {
    expect(checkSmsDestination('+448712345678', ['GB'])).toMatchObject({ allowed: false, reason: 'premium_rate', country: 'GB', type: 'PREMIUM_RATE' });
    expect(checkSmsDestination('+33812345678', ['FR'])).toMatchObject({ allowed: false, reason: 'premium_rate', country: 'FR' });
    expect(checkSmsDestination('+33810123456', ['FR'])).toMatchObject({ allowed: false, reason: 'shared_cost', type: 'SHARED_COST' });
    expect(checkSmsDestination('+34901123456', ['ES'])).toMatchObject({ allowed: false, reason: 'shared_cost', country: 'ES' });
  });

  it('refuses invalid and malformed input instead of guessing', () => {
    for (const to of ['+15555550100', '+12345', '', '+', 'abc', '4155550123', '+0123456789', '+1 415 555 0123', '+14155550123 ', '+1415555012345678901']) {
      expect(reasonOf(to), JSON.stringify(to)).toBe('invalid');
    }
  });

  it('allows mobile and geographic numbers of an allowed country, and Twilio\'s +1 500 test numbers', () => {
    expect(checkSmsDestination('+14155550123', US)).toEqual({ allowed: true, country: 'US', type: 'FIXED_LINE_OR_MOBILE' });
    expect(reasonOf('+15005550006')).toBe('allowed');
    expect(reasonOf('+15005550001')).toBe('allowed');
    expect(reasonOf('+2347010000000', ['US', 'NG'])).toBe('allowed');
    expect(reasonOf('+447400123456', ['GB'])).toBe('allowed');
  });

  it('allows nothing when the allowed list is empty, and says which variable to set', () => {
    const check = checkSmsDestination('+14155550123', []);
    expect(check).toMatchObject({ allowed: false, reason: 'country_not_allowed', country: 'US' });
    if (!check.allowed) expect(describeSmsDestinationRefusal(check, [])).toContain('SMS_ALLOWED_COUNTRIES');
  });

  it('describes refusals without quoting the number', () => {
    for (const to of ['+8823900000001', '+19005550100', '+2347010000000', '+15555550100']) {
      const check = checkSmsDestination(to, US);
      expect(check.allowed).toBe(false);
      if (!check.allowed) expect(describeSmsDestinationRefusal(check, US)).not.toContain(to.slice(1));
    }
  });

  it('accepts only exact E.164 as a number; normalizes what a person types', () => {
    expect(isE164('+14155550123')).toBe(true);
    expect(isE164('+8823900000001')).toBe(true);
    expect(isE164('+1 4155550123')).toBe(false);
    expect(isE164('+12345')).toBe(false);
    expect(isE164(`+1${'4'.repeat(20)}`)).toBe(false);
    expect(normalizePhoneInput(' +1 (415) 555-0123 ')).toBe('+14155550123');
    expect(normalizePhoneInput('415-555-0123')).toBeUndefined();
    expect(normalizePhoneInput('+')).toBeUndefined();
  });

  it('knows the country of a sender number and which codes are ISO 3166-1 alpha-2', () => {
    expect(countryOfNumber('+15005550006')).toBe('US');
    expect(countryOfNumber('+447400123456')).toBe('GB');
    expect(countryOfNumber('+8823900000001')).toBeUndefined();
    expect(countryOfNumber('+15555550100')).toBeUndefined();
    expect(isCountryCode('US')).toBe(true);
    expect(isCountryCode('us')).toBe(false);
    expect(isCountryCode('XX')).toBe(false);
    expect(isCountryCode('UK')).toBe(false);
  });

  it('keeps the note one short line: at most 160 characters, no control characters', () => {
    expect(SMS_TEST_NOTE_MAX_CHARS).toBe(160);
    expect(smsTestNoteProblem('x'.repeat(160))).toBeUndefined();
    expect(smsTestNoteProblem('x'.repeat(161))).toMatch(/at most 160/);
    for (const spoof of ['line one\nYour account is locked', 'a\rb', 'a\u2028b', 'a\u2029b', 'pay \u202Eevil', 'x\u2066y', 'nul\u0000']) {
      expect(smsTestNoteProblem(spoof), JSON.stringify(spoof)).toMatch(/one line/);
    }
    expect(smsTestNoteProblem('on-call check ✅ 👩‍💻 café')).toBeUndefined();
    expect(composeTestSmsBody({ issuer: 'Proofgate', traceId: 't1', note: undefined })).toBe('Proofgate test alert: SMS delivery works (trace t1)');
    expect(composeTestSmsBody({ issuer: 'Proofgate', traceId: 't1', note: 'hi' })).toBe('Proofgate test alert: SMS delivery works (trace t1). Note: hi');
  });
});
