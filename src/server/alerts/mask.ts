/**
 * A phone number as logs, usage events and the UI may show it: the first two characters
 * (`+` and the leading country-code digit) and the last four digits, with a fixed run of
 * seven stars between, so the mask does not reveal the number's length either:
 * +15005550006 → +1*******0006.
 */
export const MASK_STARS = '*******';

export function maskPhoneNumber(e164: string): string {
  if (e164.length < 7) return `${e164.slice(0, 1)}${MASK_STARS}`;
  return `${e164.slice(0, 2)}${MASK_STARS}${e164.slice(-4)}`;
}
