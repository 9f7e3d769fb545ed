import { describe, expect, it } from 'vitest';
import { ipLimiterKey, normalizeIp } from '../../src/server/core/client-address';

describe('limiter keys for client addresses', () => {
  it('keys IPv4 by the full address and unwraps IPv4-mapped IPv6', () => {
    expect(ipLimiterKey('203.0.113.7')).toBe('ip4:203.0.113.7');
    expect(ipLimiterKey('::ffff:203.0.113.7')).toBe('ip4:203.0.113.7');
    expect(normalizeIp('::ffff:203.0.113.7')).toBe('203.0.113.7');
  });

  it('buckets IPv6 by /64, however the address is spelt', () => {
    const key = ipLimiterKey('2001:db8:1:2::1');
    expect(ipLimiterKey('2001:0db8:0001:0002:ffff:ffff:ffff:ffff')).toBe(key);
    expect(ipLimiterKey('2001:DB8:1:2:abcd::9')).toBe(key);
    expect(ipLimiterKey('2001:db8:1:3::1')).not.toBe(key);
    expect(key).toBe('ip6:2001:db8:1:2::/64');
  });

  it('never throws on garbage', () => {
    expect(ipLimiterKey('not an ip')).toBe('ip:unknown');
    expect(normalizeIp(undefined)).toBe('unknown');
  });
});
