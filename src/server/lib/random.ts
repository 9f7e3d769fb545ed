import { randomBytes as nodeRandomBytes, randomFillSync } from 'node:crypto';

/** Randomness is a dependency (as in @oslojs/crypto's RandomReader) so tests can pin it. */
export type RandomBytes = (size: number) => Buffer;

/** Bytes drawn from the CSPRNG at a time: enough for 128 session tokens. */
const POOL_BYTES = 4096;
/** A request larger than this goes to the CSPRNG on its own rather than draining the pool. */
const LARGEST_POOLED = 256;

/**
 * Cryptographically secure bytes, drawn from node:crypto in blocks of 4 KiB and handed out in
 * slices. Each randomBytes() call sets up a crypto job whatever its size, several microseconds
 * on these hosts (docs/performance.md), and a sign-in takes two or three tokens; Node's own
 * randomUUID pools its entropy the same way. Every caller gets a fresh copy that no other
 * caller shares, and the slice it came from is zeroed at once, so the pool never holds a byte
 * that was already handed out: what it holds is only bytes no one has yet, like the CSPRNG's own
 * state. `fill` is the CSPRNG (a parameter only so tests can watch the refills).
 */
export function createPooledRandomBytes(fill: (buffer: Buffer) => void = (buffer) => randomFillSync(buffer)): RandomBytes {
  const pool = Buffer.alloc(POOL_BYTES);
  let offset = POOL_BYTES;
  return (size) => {
    if (!Number.isInteger(size) || size < 0) throw new RangeError(`random byte count must be a whole number ≥ 0, not ${size}`);
    if (size > LARGEST_POOLED) return nodeRandomBytes(size);
    if (offset + size > POOL_BYTES) {
      fill(pool);
      offset = 0;
    }
    const slice = Buffer.alloc(size);
    pool.copy(slice, 0, offset, offset + size);
    pool.fill(0, offset, offset + size);
    offset += size;
    return slice;
  };
}

export const secureRandomBytes: RandomBytes = createPooledRandomBytes();
