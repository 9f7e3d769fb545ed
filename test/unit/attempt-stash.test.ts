import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/server/core/app-error';
import { createLimitGate, type LimitGate, type LimitHit } from '../../src/server/limits/limit-gate';
import { openLimiterStore, type AttemptStash, type LimiterStore, type LimitSpec, type StashTake } from '../../src/server/limits/limiter-store';
import { takeStashedAttempt, type StashAttemptGates } from '../../src/server/limits/take-stashed';
import { createChallengeStash, type StashedChallenge } from '../../src/server/twofactor/challenge-stash';
import { closingLimiterStores, silentLogger } from '../support/limiter-stores';

const { ready, closeAfterTests } = closingLimiterStores();
const redisUrl = process.env.TEST_REDIS_URL;
const openRedis = () => openLimiterStore({ redisUrl, redisKeyPrefix: `unit_${randomBytes(4).toString('hex')}`, pool: undefined, logger: silentLogger });

const label = (owner = 'owner', expiresAtMs = Number.MAX_SAFE_INTEGER) => ({ owner, expiresAtMs });
const takeOf = async (stash: AttemptStash, key: string, max: number, nowMs = 0) => (await stash.take(key, max, nowMs)).take;

describe.skipIf(!redisUrl)('the Redis attempt stash', () => {
  it('hands the value and its owner out with each attempt up to the limit, then only the count; a missing key is missing', async () => {
    const stash = (await ready(openRedis())).attemptStash!;
    expect(await takeOf(stash, 'nothing', 3)).toEqual({ state: 'missing' });
    await stash.put('k', 'sealed', label('u1'), 60);
    expect(await takeOf(stash, 'k', 3)).toEqual({ state: 'taken', attempts: 1, value: 'sealed', owner: 'u1' });
    expect(await takeOf(stash, 'k', 3)).toEqual({ state: 'taken', attempts: 2, value: 'sealed', owner: 'u1' });
    expect(await takeOf(stash, 'k', 3)).toEqual({ state: 'taken', attempts: 3, value: 'sealed', owner: 'u1' });
    expect(await takeOf(stash, 'k', 3)).toEqual({ state: 'exhausted', attempts: 4 });
    expect(await takeOf(stash, 'k', 3)).toEqual({ state: 'exhausted', attempts: 5 });
    await stash.remove('k');
    expect(await takeOf(stash, 'k', 3)).toEqual({ state: 'missing' });
  });

  it('is missing from the expiry on by the caller’s clock, whatever the key’s time to live says', async () => {
    const stash = (await ready(openRedis())).attemptStash!;
    await stash.put('k', 'sealed', label('u1', 10_000), 60);
    expect(await takeOf(stash, 'k', 3, 10_000)).toEqual({ state: 'missing' });
    expect(await takeOf(stash, 'k', 3, 9_999)).toMatchObject({ state: 'taken', attempts: 1 });
  });

  it('200 takes at once hand the value out exactly `max` times (repeated 20 rounds)', async () => {
    const stash = (await ready(openRedis())).attemptStash!;
    const escapes: string[] = [];
    for (let round = 0; round < 20; round += 1) {
      await stash.put(`race${round}`, 'v', label(), 60);
      const takes = await Promise.all(Array.from({ length: 200 }, () => takeOf(stash, `race${round}`, 5)));
      const taken = takes.filter((t) => t.state === 'taken');
      const attempts = taken.map((t) => (t as Extract<StashTake, { state: 'taken' }>).attempts).sort((a, b) => a - b);
      if (JSON.stringify(attempts) !== '[1,2,3,4,5]') escapes.push(`round ${round}: ${attempts.join(',')}`);
    }
    expect(escapes).toEqual([]);
  });

  it('the value and its count expire together, with the time to live given', async () => {
    const store = await ready(openRedis());
    await store.attemptStash!.put('short', 'v', label(), 1);
    await takeOf(store.attemptStash!, 'short', 3);
    await new Promise((resolve) => setTimeout(resolve, 1_300));
    expect(await takeOf(store.attemptStash!, 'short', 3)).toEqual({ state: 'missing' });
  });

  it('while Redis is unreachable the challenge stash answers SERVICE_UNAVAILABLE, never "no such token"', async () => {
    const down = closeAfterTests(openLimiterStore({ redisUrl: 'redis://127.0.0.1:1', redisKeyPrefix: 'down', pool: undefined, logger: silentLogger }));
    const challenges = createChallengeStash(down.attemptStash!);
    const gates = stashGates(down, []);
    const successGiveBack = [
      { gate: gates.owner[0]!, key: 'u1', kind: 'reset' as const },
      { gate: gates.always[0]!.gate, key: 'ip', kind: 'refund' as const },
    ];
    const attempts = [
      () => challenges.take('h', 3, 0, gates),
      () => challenges.put('h', challenge(), 60),
      () => challenges.removeWithGiveBack('h', successGiveBack, () => undefined),
    ];
    for (const attempt of attempts) {
      const error = await attempt().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe('SERVICE_UNAVAILABLE');
    }
  });
});

/** An address gate every attempt pays, then an owner's short lock and daily cap, as the second login step has. */
let gateSet = 0;
function stashGates(store: LimiterStore, hits: LimitHit[], specs = { ip: 6, lock: 2, daily: 3 }): StashAttemptGates {
  gateSet += 1;
  const gate = (name: string, spec: Omit<LimitSpec, 'name'>, code: 'RATE_LIMITED' | 'TWO_FACTOR_LOCKED') =>
    createLimitGate(store, { ...spec, name: `stash_${gateSet}_${name}` }, code, (hit) => {
      hits.push(hit);
    });
  return {
    always: [{ gate: gate('ip', { points: specs.ip, durationSeconds: 600 }, 'RATE_LIMITED'), key: 'ip' }],
    owner: [
      gate('lock', { points: specs.lock, durationSeconds: 600, blockDurationSeconds: 900 }, 'TWO_FACTOR_LOCKED'),
      gate('daily', { points: specs.daily, durationSeconds: 3600 }, 'TWO_FACTOR_LOCKED'),
    ],
    context: (owner) => (owner === undefined ? {} : { userId: owner }),
  };
}

/** What one take did: what the stash found and the points left, or who refused and for how long. */
async function outcomeOf(call: Promise<{ take: StashTake; remaining: number[] }>): Promise<string> {
  try {
    const { take, remaining } = await call;
    return `${take.state} ${take.state === 'missing' ? '' : take.attempts} ${remaining.join(',')}`;
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return `${error.code} ${error.retryAfterSeconds}`;
  }
}

describe.skipIf(!redisUrl)('an attempt on a stash with its throttle points (takeStashedAttempt)', () => {
  it('in one script, gives the same answers, hits and counters as taking the attempt and then the points gate by gate', async () => {
    const store = await ready(openRedis());
    // The same Redis under another store object: its gates are not the stash's, so they count on their own.
    const elsewhere = await ready(openRedis());
    const stash = store.attemptStash!;
    const hitsTogether: LimitHit[] = [];
    const hitsApart: LimitHit[] = [];
    const together = stashGates(store, hitsTogether);
    const apart = stashGates(elsewhere, hitsApart);
    for (const [token, owner] of [['ta', 'a'], ['tb', 'b'], ['tc', 'a']] as const) {
      for (const copy of ['1', '2']) await stash.put(`${token}${copy}`, 'v', label(owner), 60);
    }
    // Tokens of two accounts, and one never stashed, until the address, the locks and the daily caps have all refused.
    const sequence = ['ta', 'ta', 'tb', 'gone', 'ta', 'tc', 'tb', 'tb', 'tc', 'tc', 'ta', 'tb'];
    for (const [i, token] of sequence.entries()) {
      const expected = await outcomeOf(takeStashedAttempt(stash, `${token}2`, 4, 0, apart));
      expect(await outcomeOf(takeStashedAttempt(stash, `${token}1`, 4, 0, together)), `take ${i} on ${token}`).toBe(expected);
    }
    const summary = (hits: LimitHit[]) => hits.map((h) => `${h.limiter.split('_').pop()} ${h.key} ${h.context.userId} ${h.firstRefusal}`);
    expect(summary(hitsTogether)).toEqual(summary(hitsApart));
    expect(new Set(hitsTogether.map((h) => h.limiter.split('_').pop()))).toEqual(new Set(['ip', 'lock']));
    for (const [i, { gate }] of [...together.always, ...together.owner.map((gate) => ({ gate }))].entries()) {
      const twin = [...apart.always.map((s) => s.gate), ...apart.owner][i]!;
      for (const key of ['ip', 'a', 'b']) {
        const left = (g: LimitGate) => outcomeOf(g.reserve(key).then((n) => ({ take: { state: 'missing' as const }, remaining: [n] })));
        expect(await left(gate), `gate ${i} key ${key}`).toBe(await left(twin));
      }
    }
  });

  it('a refused address leaves the account unspent, and a missing or spent token spends only its address', async () => {
    const store = await ready(openRedis());
    const stash = store.attemptStash!;
    const gates = stashGates(store, [], { ip: 1, lock: 5, daily: 5 });
    await stash.put('t', 'v', label('a'), 60);
    expect(await outcomeOf(takeStashedAttempt(stash, 'gone', 3, 0, gates))).toBe('missing  0');
    expect(await outcomeOf(takeStashedAttempt(stash, 't', 3, 0, gates))).toMatch(/^RATE_LIMITED /);
    expect(await gates.owner[0]!.reserve('a')).toBe(4);
    expect(await gates.owner[1]!.reserve('a')).toBe(4);
  });

  it('200 attempts at once on one token: the value out exactly `max` times, the account charged exactly for those (20 rounds)', async () => {
    const store = await ready(openRedis());
    const stash = store.attemptStash!;
    const escapes: string[] = [];
    for (let round = 0; round < 20; round += 1) {
      const gates = stashGates(store, [], { ip: 1_000, lock: 1_000, daily: 1_000 });
      await stash.put(`race${round}`, 'v', label(`owner${round}`), 60);
      const takes = await Promise.all(Array.from({ length: 200 }, () => takeStashedAttempt(stash, `race${round}`, 5, 0, gates)));
      const taken = takes.filter(({ take }) => take.state === 'taken').length;
      const ipLeft = await gates.always[0]!.gate.reserve('ip');
      const lockLeft = await gates.owner[0]!.reserve(`owner${round}`);
      const dailyLeft = await gates.owner[1]!.reserve(`owner${round}`);
      // One more point each: 200 + 1 from the address, 5 + 1 from the account's two budgets.
      if (taken !== 5 || ipLeft !== 799 || lockLeft !== 994 || dailyLeft !== 994) {
        escapes.push(`round ${round}: taken ${taken}, left ip ${ipLeft} lock ${lockLeft} daily ${dailyLeft}`);
      }
    }
    expect(escapes).toEqual([]);
  });
});

describe('stores without a shared stash', () => {
  it('memory and PostgreSQL have none: the second login step counts its attempts in the database there', () => {
    expect(openLimiterStore({ redisUrl: undefined, redisKeyPrefix: 'unit', pool: undefined, logger: silentLogger }).attemptStash).toBeUndefined();
  });
});

/**
 * An in-memory AttemptStash with the Redis one's contract, to test what the twofactor side makes
 * of it. It takes no points itself: gates never count in it, so takeStashedAttempt reserves them
 * gate by gate after the take.
 */
function memoryStash(): AttemptStash & { values: Map<string, string> } {
  const values = new Map<string, string>();
  const labels = new Map<string, { owner: string; expiresAtMs: number }>();
  const counts = new Map<string, number>();
  return {
    values,
    put: async (key, value, label) => {
      values.set(key, value);
      labels.set(key, label);
      counts.set(key, 0);
    },
    take: async (key, max, nowMs, points) => {
      if (points) throw new Error('no gate counts in the memory stash');
      const value = values.get(key);
      const label = labels.get(key);
      if (value === undefined || !label || label.expiresAtMs <= nowMs) return { take: { state: 'missing' }, outcomes: [] };
      const attempts = (counts.get(key) ?? 0) + 1;
      counts.set(key, attempts);
      return { take: attempts > max ? { state: 'exhausted', attempts } : { state: 'taken', attempts, value, owner: label.owner }, outcomes: [] };
    },
    remove: async (key) => {
      values.delete(key);
    },
  };
}

const memoryGates = () =>
  stashGates(openLimiterStore({ redisUrl: undefined, redisKeyPrefix: 'unit', pool: undefined, logger: silentLogger }), [], { ip: 100, lock: 100, daily: 100 });

function challenge(overrides: Partial<StashedChallenge> = {}): StashedChallenge {
  return {
    challengeId: 'c1',
    userId: 'u1',
    credentialEpoch: 4,
    expiresAtMs: 10_000,
    credential: {
      userId: 'u1',
      secretCiphertext: 'v1.sealed',
      createdAt: new Date(1_000),
      enabledAt: new Date(2_000),
      lastUsedStep: 99,
      lastUsedAt: new Date(3_000),
    },
    ...overrides,
  };
}

describe('the temp tokens’ stash', () => {
  it('gives back what the password step stored, but never a replay guard: that is the completing statement’s', async () => {
    const challenges = createChallengeStash(memoryStash());
    await challenges.put('hash', challenge(), 60);
    const { attempt, remaining } = await challenges.take('hash', 3, 9_999, memoryGates());
    expect(attempt).toEqual({
      state: 'taken',
      attempts: 1,
      challenge: challenge({ credential: { ...challenge().credential!, lastUsedStep: null, lastUsedAt: null } }),
    });
    // The address's point, then the account's lock and daily cap.
    expect(remaining).toEqual([99, 99, 99]);
  });

  it('keeps no profile data: only ids, the epoch, the expiry and the sealed secret', async () => {
    const stash = memoryStash();
    await createChallengeStash(stash).put('hash', challenge(), 60);
    expect(JSON.parse([...stash.values.values()][0]!)).toEqual({ c: 'c1', u: 'u1', e: 4, x: 10_000, s: { k: 'v1.sealed', at: 1_000, on: 2_000 } });
  });

  it('an account without an enabled authenticator is stashed without one', async () => {
    const challenges = createChallengeStash(memoryStash());
    await challenges.put('hash', challenge({ credential: undefined }), 60);
    expect((await challenges.take('hash', 3, 0, memoryGates())).attempt).toMatchObject({ state: 'taken', challenge: { credential: undefined } });
  });

  it('refuses by the application clock at the expiry and out of attempts, charging only the address', async () => {
    const challenges = createChallengeStash(memoryStash());
    await challenges.put('hash', challenge(), 60);
    const gates = memoryGates();
    expect(await challenges.take('hash', 3, 10_000, gates)).toEqual({ attempt: { state: 'refused' }, remaining: [99] });
    for (const attempts of [1, 2, 3]) expect((await challenges.take('hash', 3, 0, gates)).attempt).toMatchObject({ state: 'taken', attempts });
    expect(await challenges.take('hash', 3, 0, gates)).toEqual({ attempt: { state: 'refused' }, remaining: [95] });
  });

  it('names the owner of a value it cannot read, or that is not the owner’s, whose points were taken with it', async () => {
    const stash = memoryStash();
    const challenges = createChallengeStash(stash);
    const someoneElses = JSON.stringify({ c: 'c1', u: 'u1', e: 4, x: 10_000, s: null });
    for (const garbage of ['not json', '{"c":"c1"}', 'null', someoneElses]) {
      await stash.put('2fa_challenge:bad', garbage, { owner: 'u9', expiresAtMs: 10_000 }, 60);
      const { attempt, remaining } = await challenges.take('bad', 3, 0, memoryGates());
      expect(attempt, garbage).toEqual({ state: 'unreadable', owner: 'u9' });
      expect(remaining).toHaveLength(3);
    }
  });
});
