import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { isCountryCode } from '../../common/phone';
import { TWILIO_FORMATS, type TwilioVariable } from '../integrations/twilio/formats';

/** The value rules of the settings (settings/env-schema.ts): each turns an environment string into its typed value. */

export const emptyToUndefined = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);

export const integer = (defaultValue: number, min: number, max: number) =>
  z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ error: `must be a whole number between ${min} and ${max}` })
      .int({ error: `must be a whole number between ${min} and ${max}` })
      .min(min, { error: `must be at least ${min}` })
      .max(max, { error: `must be at most ${max}` })
      .default(defaultValue),
  );

export const booleanFlag = (defaultValue: boolean) =>
  z.preprocess(
    emptyToUndefined,
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
      .transform((v) => v === 'true' || v === '1' || v === 'yes')
      .default(defaultValue),
  );

export const postgresUrl = z.preprocess(
  emptyToUndefined,
  z
    .string()
    .refine((v) => /^postgres(ql)?:\/\//.test(v) && URL.canParse(v), {
      error: 'must be a postgres:// or postgresql:// URL (percent-encode special characters in the password)',
    })
    .optional(),
);

export const redisUrl = z.preprocess(
  emptyToUndefined,
  z
    .string()
    .refine((v) => /^rediss?:\/\//.test(v) && URL.canParse(v), {
      error: 'must be a redis:// or rediss:// URL (percent-encode special characters in the password)',
    })
    .optional(),
);

export const base64Key = z
  .string()
  .refine((v) => Buffer.from(v, 'base64').length === 32 && /^[A-Za-z0-9+/]+={0,2}$/.test(v), {
    error: 'must be 32 random bytes in base64 (openssl rand -base64 32)',
  });

export const commaList = z.preprocess(
  emptyToUndefined,
  z
    .string()
    .optional()
    .transform((v) =>
      (v ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0),
    ),
);

export const originList = commaList.pipe(
  z.array(
    z.string().refine((v) => {
      try {
        return new URL(v).origin === v;
      } catch {
        return false;
      }
    }, { error: 'must be a comma-separated list of origins like https://app.example.com (scheme, host, optional port; no path)' }),
  ),
);

/**
 * One entry of a TRUST_PROXY list, judged as Express's proxy-addr will compile it, so a typo is
 * refused here by name instead of surfacing as proxy-addr's "TypeError: invalid IP address"
 * with no variable named. Stricter than proxy-addr in one way: IPv4 must be four decimal parts,
 * because ipaddr.js would also read "2" or "0x7f.1" as an address, which is never what was meant.
 */
const TRUST_PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

export function isAddress(text: string): boolean {
  return ipaddr.IPv4.isValidFourPartDecimal(text) || ipaddr.IPv6.isValid(text);
}

export function isTrustProxyEntry(entry: string): boolean {
  if (TRUST_PROXY_NAMES.has(entry)) return true;
  const slash = entry.lastIndexOf('/');
  if (slash === -1) return isAddress(entry);
  const address = entry.slice(0, slash);
  const range = entry.slice(slash + 1);
  if (!isAddress(address)) return false;
  const kind = ipaddr.parse(address).kind();
  const max = kind === 'ipv6' ? 128 : 32;
  // proxy-addr refuses a prefix of 0 (it would trust every address): so do we.
  if (/^\d+$/.test(range)) return Number(range) >= 1 && Number(range) <= max;
  // An IPv4 netmask (10.0.0.0/255.0.0.0) is accepted by Express too; it must be contiguous and not 0.0.0.0.
  if (kind === 'ipv4' && ipaddr.IPv4.isValidFourPartDecimal(range)) {
    const prefix = ipaddr.IPv4.parse(range).prefixLengthFromSubnetMask();
    return prefix !== null && prefix >= 1;
  }
  return false;
}

const TRUST_PROXY_RULE =
  'must be false, true, a hop count such as 1, or a comma-separated list of IP addresses, subnets (10.0.0.0/8, fd00::/8) and the names loopback, linklocal, uniquelocal';

/**
 * TRUST_PROXY follows Express's `trust proxy`: unset/false trusts no proxy, so a client
 * cannot spoof X-Forwarded-For to dodge per-IP limits; a number trusts that many hops;
 * anything else is a comma list of addresses, subnets or the names loopback/linklocal/uniquelocal.
 */
export const trustProxy = z.preprocess(
  emptyToUndefined,
  z
    .string()
    .trim()
    .default('false')
    .transform((v, ctx): boolean | number | string[] => {
      if (v === 'false' || v === '0') return false;
      if (v === 'true') return true;
      if (/^\d+$/.test(v)) return Number(v);
      const entries = v.split(',').map((s) => s.trim());
      // The entry's position, not its text: the message never repeats a value.
      const bad = entries.findIndex((entry) => !isTrustProxyEntry(entry));
      if (bad !== -1) {
        ctx.addIssue({ code: 'custom', message: `${TRUST_PROXY_RULE}; entry ${bad + 1} of ${entries.length} is none of these` });
        return z.NEVER;
      }
      return entries;
    }),
);

export const countryList = commaList.pipe(
  z
    .array(z.string())
    .transform((codes) => codes.map((code) => code.toUpperCase()))
    .refine((codes) => codes.every(isCountryCode), {
      error: 'must be a comma-separated list of ISO 3166-1 alpha-2 country codes such as US,CA',
    }),
);

/**
 * A TWILIO_* setting: optional (a missing one makes SMS "not configured", reported by System
 * status), but when set it must have its shape, or the server refuses to start naming it.
 * The rule is formats.ts's, shared with integrations/twilio/settings.ts.
 */
export const twilioSetting = (variable: TwilioVariable) =>
  z.preprocess(
    emptyToUndefined,
    z
      .string()
      .trim()
      .refine((v) => TWILIO_FORMATS[variable].test(v), { error: TWILIO_FORMATS[variable].message })
      .optional(),
  );

/** A listen address: an IP address or a host name (RFC 1123 labels), nothing Node would have to guess about. */
export const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** A base URL: credentials, a query or a fragment in it would be copied into every link and callback signature. */
export const publicUrl = z.preprocess(
  emptyToUndefined,
  z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://proofgate.example.com' })
    .refine(
      (v) => {
        // zod runs this even after the URL check above failed; that failure is already reported.
        if (!URL.canParse(v)) return true;
        const url = new URL(v);
        return !url.username && !url.password && !url.search && !url.hash;
      },
      { error: 'must be a base URL such as https://proofgate.example.com, without user:password@, ?query or #fragment' },
    )
    .optional(),
);

// "Name <address>" or a bare address; no line breaks (they would inject headers).
const MAIL_FROM_PATTERN = /^(?:[^<>\r\n]{0,100}<[^\s<>@]+@[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+)$/;

/**
 * SMTP_URL and MAIL_FROM: a missing one does not stop the server (mail is "not configured":
 * nothing is sent, System status says what to set); a malformed one does, naming the variable,
 * so a typo is found at deploy time.
 */
export const smtpUrl = z.preprocess(
  emptyToUndefined,
  z
    .string()
    .refine((v) => /^smtps?:\/\//.test(v) && URL.canParse(v) && new URL(v).hostname !== '', {
      error: 'must be an smtp:// or smtps:// URL such as smtps://user:password@smtp.example.com:465 (percent-encode special characters)',
    })
    .optional(),
);

export const mailFrom = z.preprocess(
  emptyToUndefined,
  z.string().max(200).regex(MAIL_FROM_PATTERN, { error: 'must be an address such as "Proofgate <no-reply@example.com>"' }).optional(),
);
