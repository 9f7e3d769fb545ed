import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/server/core/app-error';
import { createLimitGate, type LimitGate, type LimitHit } from '../../src/server/limits/limit-gate';
import { openLimiterStore, type LimiterStore, type LimitSpec } from '../../src/server/limits/limiter-store';
import { reserveInOrder, type ReserveStep } from '../../src/server/limits/reserve-in-order';
import { closingLimiterStores, limiterStoresUnderTest, silentLogger } from '../support/limiter-stores';

/**
 * `reserveInOrder` must be exactly consecutive `gate.reserve` calls, whether the store does the
 * steps one by one (memory, PostgreSQL) or in one Redis script: same points left, the same
 * refusal, later gates unspent, the block started by the refusal that crossed the limit, one
 * "first refusal" per lockout. Under concurrency, no attempt may pass a gate that is full.
 */
const stores = limiterStoresUnderTest('order');
const { ready, closeAfterTests } = closingLimiterStores();

/** What one call did: the points left at each gate, or who refused and for how long. */
async function outcomeOf(call: Promise<number[]>): Promise<string> {
  try {
    return `ok ${(await call).join(',')}`;
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return `${error.code} ${error.retryAfterSeconds}`;
  }
}

async function reserveOneByOne(steps: ReserveStep[]): Promise<number[]> {
  const left: number[] = [];
  for (const step of steps) left.push(await step.gate.reserve(step.key, step.context));
  return left;
}

describe.each(stores)('reserveInOrder on $name', ({ name, open }) => {
  let counter = 0;
  function gates(store: LimiterStore, specs: Array<Omit<LimitSpec, 'name'>>, hits: LimitHit[]): LimitGate[] {
    counter += 1;
    return specs.map((spec, i) =>
      createLimitGate(store, { ...spec, name: `order_${counter}_${i}` }, i === 1 ? 'TWO_FACTOR_LOCKED' : 'RATE_LIMITED', (hit) => {
        hits.push(hit);
      }),
    );
  }

  it(`[${name}] gives the same answers, hits and counters as reserving gate by gate`, async () => {
    const store = await ready(open());
    const specs = [
      { points: 6, durationSeconds: 600 },
      { points: 2, durationSeconds: 600, blockDurationSeconds: 900 },
      { points: 3, durationSeconds: 3600 },
    ];
    const hitsTogether: LimitHit[] = [];
    const hitsOneByOne: LimitHit[] = [];
    const together = gates(store, specs, hitsTogether);
    const oneByOne = gates(store, specs, hitsOneByOne);
    // A fixed mix of keys: the first gate shared, the others per account, so every gate refuses at some point.
    const keys = ['a', 'b', 'a', 'a', 'b', 'c', 'a', 'b', 'c', 'c', 'a'];
    for (const key of keys) {
      const steps = (set: LimitGate[]): ReserveStep[] => set.map((gate, i) => ({ gate, key: i === 0 ? 'ip' : key, context: { userId: key } }));
      const expected = await outcomeOf(reserveOneByOne(steps(oneByOne)));
      expect(await outcomeOf(reserveInOrder(steps(together))), `key ${key}`).toBe(expected);
    }
    const summary = (hits: LimitHit[]) => hits.map((h) => `${h.limiter.split('_').pop()} ${h.key} ${h.firstRefusal} ${h.retryAfterSeconds > 0}`);
    expect(summary(hitsTogether)).toEqual(summary(hitsOneByOne));
    expect(hitsTogether.filter((h) => h.firstRefusal).length).toBeGreaterThanOrEqual(2);
    // The counters left behind are the same too: one more reserve on each gate answers alike.
    for (const [i, gate] of together.entries()) {
      for (const key of ['ip', 'a', 'b', 'c']) {
        expect(await outcomeOf(gate.reserve(key).then((left) => [left])), `gate ${i} key ${key}`).toBe(
          await outcomeOf(oneByOne[i]!.reserve(key).then((left) => [left])),
        );
      }
    }
  });

  it(`[${name}] 40 rounds of 30 attempts at once: never more admitted than the tightest gate allows, nothing spent after a refusal`, async () => {
    const store = await ready(open());
    for (let round = 0; round < 40; round += 1) {
      const hits: LimitHit[] = [];
      const [ip, user, daily] = gates(
        store,
        [
          { points: 20, durationSeconds: 600 },
          { points: 5, durationSeconds: 600, blockDurationSeconds: 900 },
          { points: 1000, durationSeconds: 3600 },
        ],
        hits,
      );
      const outcomes = await Promise.all(
        Array.from({ length: 30 }, () =>
          outcomeOf(
            reserveInOrder([
              { gate: ip!, key: 'ip' },
              { gate: user!, key: 'u' },
              { gate: daily!, key: 'u' },
            ]),
          ),
        ),
      );
      const admitted = outcomes.filter((o) => o.startsWith('ok')).length;
      // 20 pass the IP gate, 5 of them the account lock: exactly 5 admitted, 15 locked, 10 refused by IP.
      expect(admitted, `round ${round}`).toBe(5);
      expect(outcomes.filter((o) => o.startsWith('TWO_FACTOR_LOCKED')).length).toBe(15);
      expect(outcomes.filter((o) => o.startsWith('RATE_LIMITED')).length).toBe(10);
      // The daily cap saw only the admitted five: the next point is its sixth.
      expect(await daily!.reserve('u')).toBe(1000 - 6);
      // One lockout per gate is the first refusal; the account lock refuses for its whole block.
      expect(hits.filter((h) => h.firstRefusal).map((h) => h.limiter).sort()).toEqual([ip!.spec.name, user!.spec.name].sort());
      expect(hits.filter((h) => h.limiter === user!.spec.name).every((h) => h.retryAfterSeconds > 600)).toBe(true);
    }
  });

  it(`[${name}] the refusal that crosses a limit starts its block; later refusals do not lengthen it`, async () => {
    const store = await ready(open());
    const hits: LimitHit[] = [];
    const [ip, lock] = gates(
      store,
      [
        { points: 100, durationSeconds: 600 },
        { points: 2, durationSeconds: 60, blockDurationSeconds: 900 },
      ],
      hits,
    );
    const attempt = () => outcomeOf(reserveInOrder([{ gate: ip!, key: 'ip' }, { gate: lock!, key: 'u' }]));
    expect([await attempt(), await attempt(), await attempt()]).toEqual(['ok 99,1', 'ok 98,0', 'TWO_FACTOR_LOCKED 900']);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const later = await attempt();
    expect(later).toMatch(/^TWO_FACTOR_LOCKED \d+$/);
    // A second or more has passed (however slow the machine), and the block still counts down from the crossing.
    expect(Number(later.split(' ')[1])).toBeLessThan(900);
    expect(Number(later.split(' ')[1])).toBeGreaterThan(850);
    expect(hits.map((h) => h.firstRefusal)).toEqual([true, false]);
  });

  it(`[${name}] a single step and steps of different stores reserve one by one`, async () => {
    const store = await ready(open());
    const hits: LimitHit[] = [];
    const [only] = gates(store, [{ points: 1, durationSeconds: 60 }], hits);
    expect(await reserveInOrder([{ gate: only!, key: 'k' }])).toEqual([0]);
    expect(await outcomeOf(reserveInOrder([{ gate: only!, key: 'k' }]))).toMatch(/^RATE_LIMITED \d+$/);
    const other = await ready(openLimiterStore({ redisUrl: undefined, redisKeyPrefix: 'other', pool: undefined, logger: silentLogger }));
    const [elsewhere] = gates(other, [{ points: 2, durationSeconds: 60 }], hits);
    const [here] = gates(store, [{ points: 2, durationSeconds: 60 }], hits);
    expect(await reserveInOrder([{ gate: here!, key: 'k' }, { gate: elsewhere!, key: 'k' }])).toEqual([1, 1]);
  });
});

describe.skipIf(!process.env.TEST_REDIS_URL)('reserveInOrder when Redis is unreachable', () => {
  it('answers SERVICE_UNAVAILABLE (the route fails closed) instead of skipping the throttles', async () => {
    const store = closeAfterTests(openLimiterStore({ redisUrl: 'redis://127.0.0.1:1', redisKeyPrefix: 'down', pool: undefined, logger: silentLogger }));
    const hits: LimitHit[] = [];
    const spec = { durationSeconds: 60, points: 3 };
    const [a, b] = [createLimitGate(store, { ...spec, name: 'down_a' }, 'RATE_LIMITED', (hit) => void hits.push(hit)), createLimitGate(store, { ...spec, name: 'down_b' }, 'RATE_LIMITED', () => undefined)];
    expect(await outcomeOf(reserveInOrder([{ gate: a, key: 'k' }, { gate: b, key: 'k' }]))).toBe('SERVICE_UNAVAILABLE undefined');
    expect(hits).toEqual([]);
  });
});
