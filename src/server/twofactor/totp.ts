import { Secret, TOTP } from 'otpauth';
import type { RandomBytes } from '../lib/random';

/**
 * RFC 6238 TOTP with the parameters every authenticator app supports: HMAC-SHA1, 6 digits,
 * 30-second steps (the Key URI Format defaults). Secrets are 160 bits, the length RFC 4226
 * §4 recommends for the HMAC key.
 */
export const TOTP_ALGORITHM = 'SHA1';
export const TOTP_DIGITS = 6;
export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_SECRET_BYTES = 20;
/** ±1 step tolerates clock drift of up to 30 s either way (RFC 6238 §5.2 recommends at most one step back). */
export const TOTP_WINDOW_STEPS = 1;

export function generateTotpSecretBase32(randomBytes: RandomBytes): string {
  const bytes = randomBytes(TOTP_SECRET_BYTES);
  return new Secret({ buffer: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer }).base32;
}

/** The otpauth:// Key URI authenticator apps scan: issuer, account label, SHA1, 6 digits, 30 s. */
export function buildOtpauthUrl(secretBase32: string, issuer: string, accountLabel: string): string {
  return new TOTP({
    issuer,
    label: accountLabel,
    algorithm: TOTP_ALGORITHM,
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
    secret: Secret.fromBase32(secretBase32),
  }).toString();
}

export function totpStepAt(nowMs: number): number {
  return Math.floor(nowMs / 1000 / TOTP_PERIOD_SECONDS);
}

/**
 * The time step a code belongs to, or null. Callers record the step and refuse any step at or
 * below the last accepted one (replay, ASVS 2.8.4). otpauth compares in constant time.
 */
export function matchTotpStep(secretBase32: string, code: string, nowMs: number): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const delta = TOTP.validate({
    token: code,
    secret: Secret.fromBase32(secretBase32),
    algorithm: TOTP_ALGORITHM,
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
    timestamp: nowMs,
    window: TOTP_WINDOW_STEPS,
  });
  return delta === null ? null : totpStepAt(nowMs) + delta;
}

/** The code for a moment: for tests, the proof tool and benchmarks, which play the authenticator app. */
export function generateTotpCode(secretBase32: string, nowMs: number): string {
  return TOTP.generate({
    secret: Secret.fromBase32(secretBase32),
    algorithm: TOTP_ALGORITHM,
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
    timestamp: nowMs,
  });
}
