import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/server/core/app-error';
import { giveBack, giveBackAndRemove, type GiveBackStep } from '../../src/server/limits/give-back';
import { createLimitGate, type LimitGate } from '../../src/server/limits/limit-gate';
import { openLimiterStore, type AttemptStash, type LimiterStore, type LimitSpec } from '../../src/server/limits/limiter-store';
import { closingLimiterStores, limiterStoresUnderTest, silentLogger } from '../support/limiter-stores';

/**
 * `giveBack` must be exactly `gate.refund` / `gate.reset` for each step, whether the store does
 * them one by one (memory, PostgreSQL) or in one Redis script: the same counters, windows and
 * blocks afterwards, so the next reserve on every gate answers alike.
 */
const stores = limiterStoresUnderTest('giveback');
const { ready, closeAfterTests } = closingLimiterStores();

/**
 * What a shared store holds for one gate's key, read through a second limiter of the library:
 * consumed points and seconds left (rounded). The memory store's counters live in each limiter
 * object, so there the next reserve on each gate is what is compared.
 */
async function counter(store: LimiterStore, spec: LimitSpec, key: string): Promise<string> {
  const state = await store.create(spec).get(key);
  return state ? `${state.consumedPoints} ${Math.round(state.msBeforeNext / 1000)}s` : 'none';
}

async function outcomeOf(call: Promise<number>): Promise<string> {
  try {
    return `ok ${await call}`;
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return `${error.code} ${error.retryAfterSeconds}`;
  }
}

describe.each(stores)('giveBack on $name', ({ name, open }) => {
  let counterId = 0;
  function gates(store: LimiterStore, specs: Array<Omit<LimitSpec, 'name'>>): LimitGate[] {
    counterId += 1;
    return specs.map((spec, i) => createLimitGate(store, { ...spec, name: `giveback_${counterId}_${i}` }, 'RATE_LIMITED', () => undefined));
  }

  it(`[${name}] leaves the same counters as refunding and resetting gate by gate`, async () => {
    const store = await ready(open());
    const specs = [
      { points: 10, durationSeconds: 600 },
      { points: 2, durationSeconds: 60, blockDurationSeconds: 900 },
      { points: 5, durationSeconds: 3600 },
    ];
    const together = gates(store, specs);
    const oneByOne = gates(store, specs);
    // Counters in every state: several points taken, a lock blocked after its limit, and a key never touched.
    for (const set of [together, oneByOne]) {
      for (let i = 0; i < 4; i += 1) await set[0]!.reserve('ip');
      for (let i = 0; i < 3; i += 1) await outcomeOf(set[1]!.reserve('u'));
      await set[2]!.reserve('u');
    }
    const plan = (set: LimitGate[]): GiveBackStep[] => [
      { gate: set[0]!, key: 'ip', kind: 'refund' },
      { gate: set[1]!, key: 'u', kind: 'reset' },
      { gate: set[2]!, key: 'u', kind: 'refund' },
      { gate: set[2]!, key: 'never-used', kind: 'refund' },
      { gate: set[0]!, key: 'never-used', kind: 'reset' },
    ];
    await giveBack(plan(together));
    for (const { gate, key, kind } of plan(oneByOne)) await (kind === 'reset' ? gate.reset(key) : gate.refund(key));

    if (store.kind !== 'memory') {
      for (const [i, gate] of together.entries()) {
        for (const key of ['ip', 'u', 'never-used']) {
          expect(await counter(store, gate.spec, key), `gate ${i} key ${key}`).toBe(await counter(store, oneByOne[i]!.spec, key));
        }
      }
      expect(await counter(store, together[0]!.spec, 'ip')).toBe('3 600s');
      expect(await counter(store, together[1]!.spec, 'u')).toBe('none');
      // A refund of a counter that did not exist starts a window one point in credit, as the library's reward does.
      expect(await counter(store, together[2]!.spec, 'never-used')).toBe('-1 3600s');
    }
    for (const [i, gate] of together.entries()) {
      for (const key of ['ip', 'u', 'never-used']) {
        expect(await outcomeOf(gate.reserve(key)), `gate ${i} key ${key}`).toBe(await outcomeOf(oneByOne[i]!.reserve(key)));
      }
    }
  });

  it(`[${name}] 30 attempts at once, each reserving then giving back: every counter ends where it started`, async () => {
    const store = await ready(open());
    const [ip, lock, daily] = gates(store, [
      { points: 100, durationSeconds: 600 },
      { points: 50, durationSeconds: 60, blockDurationSeconds: 900 },
      { points: 1000, durationSeconds: 3600 },
    ]);
    await daily!.reserve('u'); // one earlier failure, which no success may erase
    await Promise.all(
      Array.from({ length: 30 }, async () => {
        await Promise.all([ip!.reserve('ip'), lock!.reserve('u'), daily!.reserve('u')]);
        await giveBack([
          { gate: lock!, key: 'u', kind: 'reset' },
          { gate: daily!, key: 'u', kind: 'refund' },
          { gate: ip!, key: 'ip', kind: 'refund' },
        ]);
      }),
    );
    // The next attempt finds each counter as if the thirty had never come: the earlier failure still counted.
    expect(await ip!.reserve('ip')).toBe(99);
    expect(await lock!.reserve('u')).toBe(49);
    expect(await daily!.reserve('u')).toBe(998);
  });
});

describe.skipIf(!process.env.TEST_REDIS_URL)('giveBack when Redis is unreachable', () => {
  it('answers SERVICE_UNAVAILABLE instead of pretending the points were given back', async () => {
    const store = closeAfterTests(openLimiterStore({ redisUrl: 'redis://127.0.0.1:1', redisKeyPrefix: 'down', pool: undefined, logger: silentLogger }));
    const [a, b] = ['down_a', 'down_b'].map((name) => createLimitGate(store, { name, points: 3, durationSeconds: 60 }, 'RATE_LIMITED', () => undefined));
    const error = await giveBack([
      { gate: a!, key: 'k', kind: 'refund' },
      { gate: b!, key: 'k', kind: 'reset' },
    ]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('SERVICE_UNAVAILABLE');
  });
});

describe.skipIf(!process.env.TEST_REDIS_URL)('giveBackAndRemove: a success on a stashed value', () => {
  const redisUrl = process.env.TEST_REDIS_URL;
  const openRedis = (prefix: string) => ready(openLimiterStore({ redisUrl, redisKeyPrefix: `${prefix}_${Date.now()}_${Math.random().toString(16).slice(2)}`, pool: undefined, logger: silentLogger }));
  const label = { owner: 'u', expiresAtMs: Number.MAX_SAFE_INTEGER };
  const specs = [
    { name: 'gbr_ip', points: 10, durationSeconds: 600 },
    { name: 'gbr_lock', points: 5, durationSeconds: 60, blockDurationSeconds: 900 },
    { name: 'gbr_daily', points: 20, durationSeconds: 3600 },
  ];
  const gatesOn = (store: LimiterStore) => specs.map((spec) => createLimitGate(store, spec, 'RATE_LIMITED', () => undefined));
  const plan = ([ip, lock, daily]: LimitGate[]): GiveBackStep[] => [
    { gate: lock!, key: 'u', kind: 'reset' },
    { gate: daily!, key: 'u', kind: 'refund' },
    { gate: ip!, key: 'ip', kind: 'refund' },
  ];
  async function spend(gates: LimitGate[]) {
    for (let i = 0; i < 3; i += 1) await Promise.all([gates[0]!.reserve('ip'), gates[1]!.reserve('u'), gates[2]!.reserve('u')]);
  }

  it('in one command with the stash’s own counters: the same counters as giveBack, and the value gone', async () => {
    const together = await openRedis('gbr_together');
    const apart = await openRedis('gbr_apart');
    const [togetherGates, apartGates] = [gatesOn(together), gatesOn(apart)];
    await Promise.all([spend(togetherGates), spend(apartGates)]);
    const stash = together.attemptStash!;
    await stash.put('token', 'value', label, 60);
    const removeFailures: unknown[] = [];
    await giveBackAndRemove(stash, 'token', plan(togetherGates), (error) => removeFailures.push(error));
    await giveBack(plan(apartGates));

    expect(removeFailures).toEqual([]);
    expect((await stash.take('token', 3, 0)).take).toEqual({ state: 'missing' });
    for (const [i, gate] of togetherGates.entries()) {
      for (const key of ['ip', 'u']) expect(await counter(together, gate.spec, key), `gate ${i} key ${key}`).toBe(await counter(apart, apartGates[i]!.spec, key));
    }
    expect(await counter(together, specs[1]! as LimitSpec, 'u')).toBe('none');
    expect(await counter(together, specs[2]! as LimitSpec, 'u')).toBe('2 3600s');
  });

  it('with gates of another store: the give-back and the removal still both happen, and a failed removal alone is reported, not thrown', async () => {
    const redis = await openRedis('gbr_other');
    const memory = await ready(openLimiterStore({ redisUrl: undefined, redisKeyPrefix: 'unit', pool: undefined, logger: silentLogger }));
    const gates = gatesOn(memory);
    await spend(gates);
    const stash = redis.attemptStash!;
    await stash.put('token', 'value', label, 60);
    await giveBackAndRemove(stash, 'token', plan(gates), () => undefined);
    expect((await stash.take('token', 3, 0)).take).toEqual({ state: 'missing' });
    // The memory counters got their points back: the lock is reset, the daily cap and the address refunded once.
    expect(await gates[1]!.reserve('u')).toBe(4);
    expect(await gates[2]!.reserve('u')).toBe(17);
    expect(await gates[0]!.reserve('ip')).toBe(7);

    const failing: AttemptStash = { ...stash, remove: () => Promise.reject(new Error('stash down')) };
    const reported: unknown[] = [];
    await giveBackAndRemove(failing, 'token', plan(gates), (error) => reported.push(error));
    expect(reported.map((error) => (error as Error).message)).toEqual(['stash down']);
    expect(await gates[1]!.reserve('u')).toBe(4);
  });
});
