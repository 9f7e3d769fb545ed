import { describe, expect, it } from 'vitest';
import { Secret } from 'otpauth';
import { buildOtpauthUrl, generateTotpCode, matchTotpStep, totpStepAt } from '../../src/server/twofactor/totp';

/**
 * RFC 6238 Appendix B, SHA1 rows. The RFC prints 8-digit values; a 6-digit TOTP is the same
 * HOTP value mod 10^6, i.e. the last six digits.
 */
const RFC_SECRET_BASE32 = Secret.fromUTF8('12345678901234567890').base32;
const VECTORS: Array<[seconds: number, eightDigits: string]> = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

describe('TOTP against RFC 6238 Appendix B (SHA1)', () => {
  it.each(VECTORS)('T = %i s gives …%s', (seconds, eightDigits) => {
    const nowMs = seconds * 1000;
    expect(generateTotpCode(RFC_SECRET_BASE32, nowMs)).toBe(eightDigits.slice(-6));
    expect(matchTotpStep(RFC_SECRET_BASE32, eightDigits.slice(-6), nowMs)).toBe(totpStepAt(nowMs));
  });
});

describe('verification window', () => {
  const nowMs = 1_700_000_000_000;
  const stepMs = 30_000;

  it('accepts the previous and next step (±1), nothing further', () => {
    const current = totpStepAt(nowMs);
    expect(matchTotpStep(RFC_SECRET_BASE32, generateTotpCode(RFC_SECRET_BASE32, nowMs - stepMs), nowMs)).toBe(current - 1);
    expect(matchTotpStep(RFC_SECRET_BASE32, generateTotpCode(RFC_SECRET_BASE32, nowMs + stepMs), nowMs)).toBe(current + 1);
    expect(matchTotpStep(RFC_SECRET_BASE32, generateTotpCode(RFC_SECRET_BASE32, nowMs - 2 * stepMs), nowMs)).toBeNull();
    expect(matchTotpStep(RFC_SECRET_BASE32, generateTotpCode(RFC_SECRET_BASE32, nowMs + 2 * stepMs), nowMs)).toBeNull();
  });

  it('refuses malformed codes without throwing', () => {
    for (const bad of ['', '12345', '1234567', 'abcdef', ' 123456', '12345６', '１２３４５６']) {
      expect(matchTotpStep(RFC_SECRET_BASE32, bad, nowMs)).toBeNull();
    }
  });
});

describe('Key URI', () => {
  it('carries issuer, account label, SHA1, 6 digits and 30 s', () => {
    const url = new URL(buildOtpauthUrl(RFC_SECRET_BASE32, 'Proofgate', 'ada@example.com'));
    expect(url.protocol).toBe('otpauth:');
    expect(url.host).toBe('totp');
    expect(decodeURIComponent(url.pathname)).toBe('/Proofgate:ada@example.com');
    expect(url.searchParams.get('issuer')).toBe('Proofgate');
    expect(url.searchParams.get('algorithm')).toBe('SHA1');
    expect(url.searchParams.get('digits')).toBe('6');
    expect(url.searchParams.get('period')).toBe('30');
    expect(url.searchParams.get('secret')).toBe(RFC_SECRET_BASE32);
  });
});
