import ipaddr from 'ipaddr.js';

/** Unwraps IPv4-mapped IPv6 (::ffff:203.0.113.7 → 203.0.113.7) so one client has one spelling. */
export function normalizeIp(ip: string | undefined): string {
  if (!ip) return 'unknown';
  if (!ipaddr.isValid(ip)) return 'unknown';
  const parsed = ipaddr.parse(ip);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    return (parsed as ipaddr.IPv6).toIPv4Address().toString();
  }
  return parsed.toString();
}

/**
 * The limiter bucket for a client address. IPv6 clients usually own a whole /64, so keying
 * on the full address lets an attacker rotate through 2^64 addresses and never hit a limit
 * (a rate-limit bypass better-auth shipped a CVE for); bucket by /64 instead.
 */
export function ipLimiterKey(ip: string): string {
  if (!ipaddr.isValid(ip)) return 'ip:unknown';
  const parsed = ipaddr.parse(ip);
  if (parsed.kind() === 'ipv4') return `ip4:${parsed.toString()}`;
  const v6 = parsed as ipaddr.IPv6;
  if (v6.isIPv4MappedAddress()) return `ip4:${v6.toIPv4Address().toString()}`;
  const prefix = v6.parts
    .slice(0, 4)
    .map((part) => part.toString(16))
    .join(':');
  return `ip6:${prefix}::/64`;
}
