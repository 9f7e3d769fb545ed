import os from 'node:os';
import { hash, verify } from '@node-rs/argon2';
import { ARGON2_MAX_CONCURRENT, ARGON2ID_OPTIONS } from '../src/server/lib/argon2';
import { libuvThreadpoolSize } from '../src/server/lib/threadpool-size';

/**
 * The argon2 bound: the most password logins per second this machine could do if a login
 * were nothing but its one argon2id verification. Same library, same parameters as the server.
 * Run in its own process (`node --import tsx bench/argon2-bound.ts [--quick]`), it prints one
 * JSON line: single-hash latency, and the throughput of N concurrent hashes for N = the
 * server's own argon2 concurrency limit (ARGON2_MAX_CONCURRENT, the login ceiling), cores and
 * libuv's threadpool size.
 */

export interface Argon2Bound {
  cores: number;
  threadpoolSize: number;
  /** How many hashes the server runs at once (ARGON2_MAX_CONCURRENT): the login ceiling is raw hashing at this level. */
  serverConcurrency: number;
  /** Median wall time of one hash, run alone. */
  singleHashMs: number;
  singleVerifyMs: number;
  /** cores ÷ single-hash time: the bound the login scenario is compared with. */
  boundPerSecond: number;
  /**
   * Hashes per second with `concurrency` hashes in flight: the higher of `passes`, two timings
   * of the level (levels in order, then in reverse), so a slow moment of the machine does not
   * read as a low ceiling.
   */
  parallel: Array<{ concurrency: number; hashesPerSecond: number; passes: number[] }>;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

async function timeEach(count: number, run: () => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  return times;
}

async function throughput(concurrency: number, total: number): Promise<number> {
  let started = 0;
  const begin = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      while (started < total) {
        started += 1;
        await hash(`bench-${worker}-${started}`, ARGON2ID_OPTIONS);
      }
    }),
  );
  return (total / (performance.now() - begin)) * 1000;
}

export async function measureArgon2Bound(quick: boolean): Promise<Argon2Bound> {
  const cores = os.availableParallelism();
  const threadpoolSize = libuvThreadpoolSize();
  const samples = quick ? 8 : 25;
  await timeEach(3, () => hash('warm-up', ARGON2ID_OPTIONS));
  const singleHashMs = median(await timeEach(samples, () => hash('correct horse battery staple', ARGON2ID_OPTIONS)));
  const phc = await hash('correct horse battery staple', ARGON2ID_OPTIONS);
  const singleVerifyMs = median(await timeEach(samples, () => verify(phc, 'correct horse battery staple')));
  const levels = [...new Set([ARGON2_MAX_CONCURRENT, cores, threadpoolSize])];
  const perLevel = quick ? 8 : 40;
  // Every pool thread hashes before anything is timed: a thread's first hash also pays for
  // faulting in its 19 MiB, which read the first level timed up to a quarter low.
  await throughput(Math.max(...levels), Math.max(...levels) * 4);
  const passes = new Map<number, number[]>(levels.map((level) => [level, []]));
  for (const concurrency of [...levels, ...[...levels].reverse()]) {
    passes.get(concurrency)!.push(await throughput(concurrency, concurrency * perLevel));
  }
  const parallel = levels.map((concurrency) => {
    const timed = passes.get(concurrency)!;
    return { concurrency, hashesPerSecond: Math.max(...timed), passes: timed };
  });
  return { cores, threadpoolSize, serverConcurrency: ARGON2_MAX_CONCURRENT, singleHashMs, singleVerifyMs, boundPerSecond: (cores / singleHashMs) * 1000, parallel };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  measureArgon2Bound(process.argv.includes('--quick'))
    .then((result) => console.log(JSON.stringify(result)))
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
