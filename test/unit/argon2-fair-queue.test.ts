import { afterEach, describe, expect, it, vi } from 'vitest';
import { isAppError } from '../../src/server/core/app-error';
import { createArgon2Pool } from '../../src/server/lib/argon2';
import { createFairQueue, type FairQueue } from '../../src/server/lib/fair-queue';

/**
 * Threat: one client's flood of password hashes starving everyone else (800 registrations from
 * one IP put a real login from another IP 16.7 s behind them). Jobs here are controllable fakes:
 * the test decides when each one finishes, so order is asserted, never time.
 */

class ShedError extends Error {}

interface FakeJob {
  client: string;
  id: number;
  started: boolean;
  result: Promise<unknown>;
  finish(): void;
}

type HarnessOptions = { maxConcurrent: number; maxQueuedPerClient: number; maxQueued: number; overflowRefusalDelayMs?: number; maxHeldRefusals?: number };

function harness(options: HarnessOptions) {
  const queue: FairQueue = createFairQueue({ ...options, shedError: () => new ShedError('shed') });
  const startOrder: string[] = [];
  const jobs: FakeJob[] = [];
  let counter = 0;
  function submit(client: string | undefined): FakeJob {
    counter += 1;
    let finish!: () => void;
    const done = new Promise<void>((resolve) => (finish = resolve));
    const job: FakeJob = { client: client ?? '(none)', id: counter, started: false, finish: () => finish(), result: Promise.resolve() };
    job.result = queue
      .run(client, async () => {
        job.started = true;
        startOrder.push(`${job.client}#${job.id}`);
        await done;
        return job.id;
      })
      .catch((error: unknown) => error);
    jobs.push(job);
    return job;
  }
  const running = () => jobs.filter((j) => j.started && !finished.has(j));
  const finished = new Set<FakeJob>();
  /** Finishes the oldest running job and lets the queue hand its slot on. */
  async function finishOne() {
    const job = running()[0]!;
    finished.add(job);
    job.finish();
    await job.result;
    await new Promise((r) => setImmediate(r));
  }
  return { queue, submit, startOrder, finishOne, running };
}

describe('fair argon2 admission', () => {
  it('a flood from one client delays another client by at most one of its jobs per slot', async () => {
    for (const maxConcurrent of [1, 2, 4]) {
      const h = harness({ maxConcurrent, maxQueuedPerClient: 8, maxQueued: 64 });
      for (let i = 0; i < maxConcurrent + 8; i += 1) h.submit('ip4:198.51.100.1'); // slots full, lane full
      const legit = h.submit('ip4:203.0.113.7');
      const floodStartedBefore = h.startOrder.length;
      while (!legit.started) await h.finishOne();
      const floodJobsAhead = h.startOrder.length - 1 - floodStartedBefore;
      expect(floodJobsAhead, `maxConcurrent ${maxConcurrent}`).toBeLessThanOrEqual(maxConcurrent);
      while (h.running().length > 0) await h.finishOne();
    }
  });

  it('lanes take turns: three clients with backlogs are served round-robin', async () => {
    const h = harness({ maxConcurrent: 1, maxQueuedPerClient: 8, maxQueued: 64 });
    h.submit('a'); // runs
    for (let i = 0; i < 3; i += 1) h.submit('a');
    for (let i = 0; i < 3; i += 1) h.submit('b');
    for (let i = 0; i < 3; i += 1) h.submit('c');
    while (h.running().length > 0) await h.finishOne();
    expect(h.startOrder.map((s) => s.split('#')[0])).toEqual(['a', 'a', 'b', 'c', 'a', 'b', 'c', 'a', 'b', 'c']);
  });

  it('sheds past maxQueuedPerClient for that client only', async () => {
    const h = harness({ maxConcurrent: 1, maxQueuedPerClient: 2, maxQueued: 64 });
    const flood = Array.from({ length: 5 }, () => h.submit('x')); // 1 runs, 2 wait, 2 shed
    const other = h.submit('y');
    expect(await flood[3]!.result).toBeInstanceOf(ShedError);
    expect(await flood[4]!.result).toBeInstanceOf(ShedError);
    expect(h.queue.stats()).toMatchObject({ running: 1, queued: 3, shed: 2 });
    while (h.running().length > 0) await h.finishOne();
    expect(other.started).toBe(true);
    expect(h.queue.stats()).toMatchObject({ running: 0, queued: 0, started: 4, shed: 2 });
  });

  it('a full queue sheds the heaviest client’s newest job to admit a light client', async () => {
    const h = harness({ maxConcurrent: 1, maxQueuedPerClient: 8, maxQueued: 4 });
    h.submit('heavy'); // runs
    const waiting = Array.from({ length: 4 }, () => h.submit('heavy')); // queue full
    const light = h.submit('light');
    expect(await waiting[3]!.result).toBeInstanceOf(ShedError);
    // Heavy still holds more places than light would: heavy loses another one.
    const light2 = h.submit('light');
    expect(await waiting[2]!.result).toBeInstanceOf(ShedError);
    const refused = h.submit('light'); // light would now hold 3 of 4 places vs heavy's 2: refused itself
    expect(await refused.result).toBeInstanceOf(ShedError);
    while (h.running().length > 0) await h.finishOne();
    expect(light.started && light2.started).toBe(true);
  });

  it('callers without a client key share one lane, bounded only by maxQueued', async () => {
    const h = harness({ maxConcurrent: 1, maxQueuedPerClient: 1, maxQueued: 5 });
    const anonymous = Array.from({ length: 6 }, () => h.submit(undefined)); // 1 runs, 5 wait
    const overflow = h.submit(undefined);
    expect(await overflow.result).toBeInstanceOf(ShedError);
    while (h.running().length > 0) await h.finishOne();
    expect(anonymous.every((j) => j.started)).toBe(true);
  });
});

/** Whether `promise` has settled once every pending microtask has run. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  for (let i = 0; i < 5; i += 1) await Promise.resolve();
  return done;
}

describe('held refusals: a client that overfills its own lane', () => {
  afterEach(() => vi.useRealTimers());

  it('is refused after the delay, not at once, up to maxHeldRefusals at a time; the held ones are not in the queue', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    const h = harness({ maxConcurrent: 1, maxQueuedPerClient: 2, maxQueued: 64, overflowRefusalDelayMs: 1000, maxHeldRefusals: 2 });
    const flood = Array.from({ length: 6 }, () => h.submit('x')); // 1 runs, 2 wait, 3 over the lane's cap
    expect(await settled(flood[3]!.result)).toBe(false);
    expect(await settled(flood[4]!.result)).toBe(false);
    // The bound: a third overflow while two are held is refused at once.
    expect(await settled(flood[5]!.result)).toBe(true);
    expect(await flood[5]!.result).toBeInstanceOf(ShedError);
    expect(h.queue.stats()).toMatchObject({ running: 1, queued: 2, shed: 3, heldRefusals: 2 });

    vi.advanceTimersByTime(999);
    expect(await settled(flood[3]!.result)).toBe(false);
    vi.advanceTimersByTime(1);
    expect(await flood[3]!.result).toBeInstanceOf(ShedError);
    expect(await flood[4]!.result).toBeInstanceOf(ShedError);
    expect(h.queue.stats()).toMatchObject({ running: 1, queued: 2, shed: 3, heldRefusals: 0 });
    while (h.running().length > 0) await h.finishOne();
    expect(flood.slice(0, 3).every((j) => j.started)).toBe(true);
    expect(flood.slice(3).some((j) => j.started)).toBe(false);
  });

  it('holds nothing else: a light client refused by a full queue and the unattributed lane are answered at once', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    const h = harness({ maxConcurrent: 1, maxQueuedPerClient: 8, maxQueued: 2, overflowRefusalDelayMs: 1000, maxHeldRefusals: 16 });
    h.submit('a'); // runs
    h.submit('a');
    h.submit('b'); // the queue is full, a and b hold one place each
    const light = h.submit('c'); // no lane holds more than c would: c is refused, at once
    expect(await settled(light.result)).toBe(true);
    expect(await light.result).toBeInstanceOf(ShedError);

    const shared = harness({ maxConcurrent: 1, maxQueuedPerClient: 1, maxQueued: 2, overflowRefusalDelayMs: 1000, maxHeldRefusals: 16 });
    Array.from({ length: 3 }, () => shared.submit(undefined)); // 1 runs, 2 wait
    const overflow = shared.submit(undefined);
    expect(await settled(overflow.result)).toBe(true);
    expect(shared.queue.stats().heldRefusals).toBe(0);
    while (h.running().length > 0) await h.finishOne();
    while (shared.running().length > 0) await shared.finishOne();
  });
});

describe('the argon2 pool', () => {
  it('sheds with 503 SERVICE_UNAVAILABLE and Retry-After 1, for verify too (never a silent mismatch)', async () => {
    const pool = createArgon2Pool({ maxConcurrent: 1, maxQueuedPerClient: 1, maxQueued: 64 });
    const phc = await pool.hash('correct horse', 'ip4:198.51.100.9');
    const verifies = Array.from({ length: 3 }, () => pool.verify(phc, 'correct horse', 'ip4:198.51.100.9').catch((e: unknown) => e));
    const outcomes = await Promise.all(verifies);
    expect(outcomes.slice(0, 2)).toEqual([true, true]);
    const shed = outcomes[2];
    expect(isAppError(shed)).toBe(true);
    expect(shed).toMatchObject({ code: 'SERVICE_UNAVAILABLE', status: 503, retryAfterSeconds: 1 });
    expect(pool.stats()).toMatchObject({ running: 0, queued: 0, shed: 1 });
  });

  it('the process pool holds an overflowing client’s refusal for its Retry-After, at most 2,048 at once', async () => {
    const { ARGON2_OVERFLOW_REFUSAL_DELAY_MS, ARGON2_MAX_HELD_REFUSALS, argon2Pool } = await import('../../src/server/lib/argon2');
    expect(ARGON2_OVERFLOW_REFUSAL_DELAY_MS).toBe(1000);
    expect(ARGON2_MAX_HELD_REFUSALS).toBe(2048);
    expect(argon2Pool.stats().heldRefusals).toBe(0);
    const pool = createArgon2Pool({ maxConcurrent: 1, maxQueuedPerClient: 1, maxQueued: 64, overflowRefusalDelayMs: 50, maxHeldRefusals: 4 });
    const phc = await pool.hash('correct horse', 'ip4:198.51.100.9');
    const started = performance.now();
    const outcomes = await Promise.all(Array.from({ length: 3 }, () => pool.verify(phc, 'correct horse', 'ip4:198.51.100.9').catch((e: unknown) => e)));
    expect(outcomes.slice(0, 2)).toEqual([true, true]);
    expect(outcomes[2]).toMatchObject({ code: 'SERVICE_UNAVAILABLE', status: 503, retryAfterSeconds: 1 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
  });
});
