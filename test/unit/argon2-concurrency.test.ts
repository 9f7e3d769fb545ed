import { describe, expect, it, vi } from 'vitest';

// The real library with a gauge around it: how many computations run at once.
const gauge = vi.hoisted(() => ({ inFlight: 0, max: 0, failNext: false }));
vi.mock('@node-rs/argon2', async (importOriginal) => {
  const real = await importOriginal<typeof import('@node-rs/argon2')>();
  const measured = <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      gauge.inFlight += 1;
      gauge.max = Math.max(gauge.max, gauge.inFlight);
      try {
        if (gauge.failNext) {
          gauge.failNext = false;
          throw new Error('native failure');
        }
        return await fn(...args);
      } finally {
        gauge.inFlight -= 1;
      }
    };
  return { ...real, hash: measured(real.hash), verify: measured(real.verify) };
});

const { ARGON2_MAX_CONCURRENT, hashSecret, verifySecret } = await import('../../src/server/lib/argon2');

describe('argon2 scheduling', () => {
  it('runs at most one computation per core, and every queued call completes', async () => {
    gauge.max = 0;
    const count = ARGON2_MAX_CONCURRENT * 3;
    const hashes = await Promise.all(Array.from({ length: count }, (_, i) => hashSecret(`secret-${i}`)));
    expect(gauge.max).toBeLessThanOrEqual(ARGON2_MAX_CONCURRENT);
    const checks = await Promise.all(hashes.map((phc, i) => verifySecret(phc, `secret-${i}`)));
    expect(checks.every(Boolean)).toBe(true);
    expect(gauge.max).toBeLessThanOrEqual(ARGON2_MAX_CONCURRENT);
    expect(gauge.inFlight).toBe(0);
  });

  it('a failing computation gives its slot back (a mismatch for verify, a throw for hash)', async () => {
    gauge.failNext = true;
    await expect(hashSecret('x')).rejects.toThrow('native failure');
    gauge.failNext = true;
    await expect(verifySecret('$argon2id$v=19$m=19456,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAA', 'x')).resolves.toBe(false);
    // If a slot had leaked, these would never all start.
    const phcs = await Promise.all(Array.from({ length: ARGON2_MAX_CONCURRENT + 1 }, () => hashSecret('y')));
    expect(phcs).toHaveLength(ARGON2_MAX_CONCURRENT + 1);
  });
});

describe('argon2 admission and the thread pool', async () => {
  const { argon2Admission } = await import('../../src/server/lib/argon2');
  const { libuvThreadpoolSize } = await import('../../src/server/lib/threadpool-size');

  it('admits one job more than a pool of at most one thread per core, else one per core', () => {
    // npm start on 2 cores: a pool of 2, one job waiting inside libuv.
    expect(argon2Admission(2, 2)).toBe(3);
    // libuv's default pool of 4 on 2 cores (tests, a host app): one per core, as before.
    expect(argon2Admission(2, 4)).toBe(2);
    expect(argon2Admission(8, 4)).toBe(5);
    expect(argon2Admission(8, 8)).toBe(9);
    expect(argon2Admission(1, 2)).toBe(1);
  });

  it('reads the pool size as libuv does: 4 when unset, atoi of the text, 0 as 1, at most 1024', () => {
    // Each case was checked against Node 20 by counting the threads a first fs.stat starts.
    expect(libuvThreadpoolSize({})).toBe(4);
    expect(libuvThreadpoolSize({ UV_THREADPOOL_SIZE: '2' })).toBe(2);
    expect(libuvThreadpoolSize({ UV_THREADPOOL_SIZE: ' 3x' })).toBe(3);
    expect(libuvThreadpoolSize({ UV_THREADPOOL_SIZE: '0' })).toBe(1);
    expect(libuvThreadpoolSize({ UV_THREADPOOL_SIZE: '' })).toBe(1);
    expect(libuvThreadpoolSize({ UV_THREADPOOL_SIZE: 'many' })).toBe(1);
    expect(libuvThreadpoolSize({ UV_THREADPOOL_SIZE: '-2' })).toBe(1024);
    expect(libuvThreadpoolSize({ UV_THREADPOOL_SIZE: '5000' })).toBe(1024);
  });
});
