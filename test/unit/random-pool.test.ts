import { describe, expect, it } from 'vitest';
import { createPooledRandomBytes, secureRandomBytes } from '../../src/server/lib/random';

/** A CSPRNG stand-in that fills with a counter, so every byte handed out can be traced to its refill. */
function countingSource() {
  const refills: number[] = [];
  let next = 1;
  return {
    refills,
    fill(buffer: Buffer) {
      refills.push(buffer.length);
      for (let i = 0; i < buffer.length; i += 1) buffer[i] = next++ % 251;
    },
  };
}

describe('pooled random bytes', () => {
  it('hands out consecutive slices of one refill and refills only when a request no longer fits', () => {
    const source = countingSource();
    const random = createPooledRandomBytes(source.fill);
    const first = random(32);
    const second = random(16);
    expect(source.refills).toEqual([4096]);
    expect([...first]).toEqual(Array.from({ length: 32 }, (_, i) => (i + 1) % 251));
    expect([...second]).toEqual(Array.from({ length: 16 }, (_, i) => (i + 33) % 251));
    // 4096 = 48 + 126 × 32 + 16: the next 32-byte request does not fit the 16 bytes left.
    for (let i = 0; i < 126; i += 1) random(32);
    expect(source.refills).toEqual([4096]);
    random(32);
    expect(source.refills).toEqual([4096, 4096]);
  });

  it('gives every caller its own copy: changing one changes neither the pool nor a later slice', () => {
    const source = countingSource();
    const random = createPooledRandomBytes(source.fill);
    const first = random(8);
    first.fill(0xff);
    const second = random(8);
    expect([...second]).toEqual([9, 10, 11, 12, 13, 14, 15, 16]);
    expect(first.buffer).not.toBe(second.buffer);
  });

  it('zeroes what it handed out, so the pool holds only bytes nobody has', () => {
    let pool: Buffer | undefined;
    const random = createPooledRandomBytes((buffer) => {
      pool = buffer;
      buffer.fill(0xab);
    });
    const token = random(32);
    expect(token.every((byte) => byte === 0xab)).toBe(true);
    expect(pool!.subarray(0, 32).every((byte) => byte === 0)).toBe(true);
    expect(pool!.subarray(32).every((byte) => byte === 0xab)).toBe(true);
  });

  it('serves a large request straight from the CSPRNG, without draining the pool', () => {
    const source = countingSource();
    const random = createPooledRandomBytes(source.fill);
    expect(random(1024)).toHaveLength(1024);
    expect(source.refills).toEqual([]);
    expect(random(0)).toHaveLength(0);
  });

  it('refuses a size that is not a whole number of bytes', () => {
    const random = createPooledRandomBytes(countingSource().fill);
    expect(() => random(-1)).toThrow(RangeError);
    expect(() => random(1.5)).toThrow(RangeError);
    expect(() => random(Number.NaN)).toThrow(RangeError);
  });

  it('draws from the real CSPRNG by default: 10,000 session-sized tokens, all different', () => {
    const tokens = new Set<string>();
    for (let i = 0; i < 10_000; i += 1) tokens.add(secureRandomBytes(32).toString('hex'));
    expect(tokens.size).toBe(10_000);
    // Not a statistical test of the CSPRNG, only that the slices are not stuck (all zero bytes).
    expect(secureRandomBytes(64).some((byte) => byte !== 0)).toBe(true);
  });
});
