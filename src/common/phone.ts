import { isSupportedCountry, parsePhoneNumberFromString, type CountryCode, type NumberType, type PhoneNumber } from 'libphonenumber-js/max';

/**
 * The one rule for SMS destinations, imported by the server (request validation, the alert
 * service, config), the proof and the web UI (the OpsAlerts form), so they cannot drift apart.
 * The `max` metadata is the one that knows number types: without it PREMIUM_RATE and
 * SHARED_COST numbers look like any other valid number. It weighs about 50 kB gzipped, so the
 * web UI loads this module only when the OpsAlerts form is submitted; the test text's rules,
 * which the form needs at once, live in sms-test-text.ts.
 */

/** `+` and at most 15 digits (ITU-T E.164): anything longer is refused before it is parsed at all. */
export const E164_MAX_CHARS = 16;

export const E164_EXAMPLE = '+15005550006';

/**
 * The number when `input` is exactly an E.164 number (`+`, country code, subscriber number, no
 * spaces) of a length possible for its country code; undefined otherwise. Whether it is a real,
 * allowed destination is `checkSmsDestination`'s question.
 */
export function parseE164(input: string): PhoneNumber | undefined {
  if (input.length > E164_MAX_CHARS || !input.startsWith('+')) return undefined;
  const parsed = parsePhoneNumberFromString(input);
  if (!parsed || parsed.number !== input || !parsed.isPossible()) return undefined;
  return parsed;
}

export function isE164(input: string): boolean {
  return parseE164(input) !== undefined;
}

/** What a person typed (`+1 (415) 555-0123`) as E.164, or undefined when it is not an international number. */
export function normalizePhoneInput(text: string): string | undefined {
  const trimmed = text.trim();
  if (!trimmed.startsWith('+') || trimmed.length > 32) return undefined;
  const parsed = parsePhoneNumberFromString(trimmed);
  return parsed && parseE164(parsed.number) ? parsed.number : undefined;
}

/** The ISO 3166-1 alpha-2 country a number belongs to; undefined for invalid and non-geographic (+800, +870, +881-+883…) numbers. */
export function countryOfNumber(e164: string): CountryCode | undefined {
  const parsed = parseE164(e164);
  return parsed?.isValid() ? parsed.country : undefined;
}

export function isCountryCode(code: string): code is CountryCode {
  return /^[A-Z]{2}$/.test(code) && isSupportedCountry(code);
}

/**
 * Number types that can be sent a test alert. An allow-list, so a type the metadata adds later,
 * or a number whose type is unknown, is refused until someone decides it is safe. Left out on
 * purpose: PREMIUM_RATE and SHARED_COST (the receiver is paid: toll fraud), UAN (often
 * shared-cost), PAGER and VOICEMAIL (no one reads an SMS there).
 * PERSONAL_NUMBER stays in: the North American 500 range is where Twilio's test numbers live.
 */
const SENDABLE_TYPES: ReadonlySet<NumberType> = new Set<NumberType>(['MOBILE', 'FIXED_LINE_OR_MOBILE', 'FIXED_LINE', 'VOIP', 'PERSONAL_NUMBER', 'TOLL_FREE']);

export type SmsDestinationRefusal =
  /** Not an E.164 number, or not a number the numbering plan assigns. */
  | 'invalid'
  /** A global service code without a country: satellite (+870, +881), international networks (+882, +883), +979 premium… */
  | 'non_geographic'
  | 'premium_rate'
  | 'shared_cost'
  /** A type outside the allow-list (UAN, pager, voicemail) or one the metadata cannot name. */
  | 'type_not_allowed'
  | 'country_not_allowed';

export type SmsDestinationCheck =
  | { allowed: true; country: CountryCode; type: NumberType }
  | { allowed: false; reason: SmsDestinationRefusal; country: CountryCode | undefined; type: NumberType | undefined };

/**
 * Twilio's "SMS geo permissions", enforced before the provider is called: the destination must
 * be a valid number of an allowed country and of a type nobody earns money by receiving. The
 * type is judged before the country so the answer names the sharper reason: a premium-rate
 * number abroad is reported as premium_rate, not merely as a country that is not allowed.
 */
export function checkSmsDestination(to: string, allowedCountries: readonly string[]): SmsDestinationCheck {
  const parsed = parseE164(to);
  if (!parsed) return { allowed: false, reason: 'invalid', country: undefined, type: undefined };
  // Refused whatever the rest of the number is: no country's allow-list can cover these ranges.
  if (GLOBAL_SERVICE_CALLING_CODES.has(parsed.countryCallingCode)) return { allowed: false, reason: 'non_geographic', country: undefined, type: undefined };
  if (!parsed.isValid() || parsed.country === undefined) return { allowed: false, reason: 'invalid', country: parsed.country, type: undefined };
  const type = parsed.getType();
  const country = parsed.country;
  if (type === 'PREMIUM_RATE') return { allowed: false, reason: 'premium_rate', country, type };
  if (type === 'SHARED_COST') return { allowed: false, reason: 'shared_cost', country, type };
  if (type === undefined || !SENDABLE_TYPES.has(type)) return { allowed: false, reason: 'type_not_allowed', country, type };
  if (!allowedCountries.includes(country)) return { allowed: false, reason: 'country_not_allowed', country, type };
  return { allowed: true, country, type };
}

/**
 * ITU-T global service codes, which belong to no country: freephone (800), shared cost (808),
 * Inmarsat (870), UPT (878), satellite (881), international networks (882, 883), OCHA (888)
 * and international premium rate (979). Sending to them is a classic toll-fraud route.
 */
export const GLOBAL_SERVICE_CALLING_CODES: ReadonlySet<string> = new Set(['800', '808', '870', '878', '881', '882', '883', '888', '979']);

/** Words for a refusal, for the problem detail and the UI; never quotes the number itself. */
export function describeSmsDestinationRefusal(check: Extract<SmsDestinationCheck, { allowed: false }>, allowedCountries: readonly string[]): string {
  switch (check.reason) {
    case 'invalid':
      return 'The number is not a valid phone number in any numbering plan';
    case 'non_geographic':
      return 'Satellite, international-network and other non-geographic numbers are refused';
    case 'premium_rate':
      return 'Premium-rate numbers are refused';
    case 'shared_cost':
      return 'Shared-cost numbers are refused';
    case 'type_not_allowed':
      return `Numbers of this type (${check.type ?? 'unknown'}) are refused`;
    case 'country_not_allowed':
      return allowedCountries.length === 0
        ? 'No destination country is allowed: set SMS_ALLOWED_COUNTRIES'
        : `Numbers in ${check.country ?? 'this country'} are refused; allowed: ${allowedCountries.join(', ')} (SMS_ALLOWED_COUNTRIES)`;
  }
}
