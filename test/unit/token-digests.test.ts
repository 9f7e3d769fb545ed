import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { limiterKey } from '../../src/server/limits/limit-gate';
import { hashToken } from '../../src/server/lib/tokens';

// Stored token digests and the limiter's Redis keys must not change with how they are computed:
// a changed digest would sign every user out and reset every throttle counter on upgrade.
describe('token and limiter-key digests', () => {
  it('hashToken is SHA-256 of the UTF-8 token, in hex (FIPS 180-2 vector and a non-ASCII input)', () => {
    expect(hashToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hashToken('jöker✓')).toBe(createHash('sha256').update('jöker✓', 'utf8').digest('hex'));
  });

  it('limiterKey is the first 32 base64url characters of SHA-256 over the NUL-joined parts', () => {
    const parts = ['login:email', 'someone@example.com'];
    expect(limiterKey(...parts)).toBe(createHash('sha256').update(parts.join('\u0000')).digest('base64url').slice(0, 32));
    expect(limiterKey('a', 'b')).not.toBe(limiterKey('ab'));
    expect(limiterKey('x')).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });
});
