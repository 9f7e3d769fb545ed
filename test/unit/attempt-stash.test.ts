import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/server/core/app-error';
import { openLimiterStore, type AttemptStash, type StashTake } from '../../src/server/limits/limiter-store';
import { createChallengeStash, type StashedChallenge } from '../../src/server/twofactor/challenge-stash';
import { closingLimiterStores, silentLogger } from '../support/limiter-stores';

const { ready, closeAfterTests } = closingLimiterStores();
const redisUrl = process.env.TEST_REDIS_URL;
const openRedis = () => openLimiterStore({ redisUrl, redisKeyPrefix: `unit_${randomBytes(4).toString('hex')}`, pool: undefined, logger: silentLogger });

describe.skipIf(!redisUrl)('the Redis attempt stash', () => {
  it('hands the value out with each attempt up to the limit, then only the count; a missing key is missing', async () => {
    const stash = (await ready(openRedis())).attemptStash!;
    expect(await stash.take('nothing', 3)).toEqual({ state: 'missing' });
    await stash.put('k', 'sealed', 60);
    expect(await stash.take('k', 3)).toEqual({ state: 'taken', attempts: 1, value: 'sealed' });
    expect(await stash.take('k', 3)).toEqual({ state: 'taken', attempts: 2, value: 'sealed' });
    expect(await stash.take('k', 3)).toEqual({ state: 'taken', attempts: 3, value: 'sealed' });
    expect(await stash.take('k', 3)).toEqual({ state: 'exhausted', attempts: 4 });
    expect(await stash.take('k', 3)).toEqual({ state: 'exhausted', attempts: 5 });
    await stash.remove('k');
    expect(await stash.take('k', 3)).toEqual({ state: 'missing' });
  });

  it('200 takes at once hand the value out exactly `max` times (repeated 20 rounds)', async () => {
    const stash = (await ready(openRedis())).attemptStash!;
    const escapes: string[] = [];
    for (let round = 0; round < 20; round += 1) {
      await stash.put(`race${round}`, 'v', 60);
      const takes = await Promise.all(Array.from({ length: 200 }, () => stash.take(`race${round}`, 5)));
      const taken = takes.filter((t) => t.state === 'taken');
      const attempts = taken.map((t) => (t as Extract<StashTake, { state: 'taken' }>).attempts).sort((a, b) => a - b);
      if (JSON.stringify(attempts) !== '[1,2,3,4,5]') escapes.push(`round ${round}: ${attempts.join(',')}`);
    }
    expect(escapes).toEqual([]);
  });

  it('the value and its count expire together, with the time to live given', async () => {
    const store = await ready(openRedis());
    await store.attemptStash!.put('short', 'v', 1);
    await store.attemptStash!.take('short', 3);
    await new Promise((resolve) => setTimeout(resolve, 1_300));
    expect(await store.attemptStash!.take('short', 3)).toEqual({ state: 'missing' });
  });

  it('while Redis is unreachable the challenge stash answers SERVICE_UNAVAILABLE, never "no such token"', async () => {
    const down = closeAfterTests(openLimiterStore({ redisUrl: 'redis://127.0.0.1:1', redisKeyPrefix: 'down', pool: undefined, logger: silentLogger }));
    const challenges = createChallengeStash(down.attemptStash!);
    for (const attempt of [() => challenges.take('h', 3, 0), () => challenges.put('h', challenge(), 60), () => challenges.remove('h')]) {
      const error = await attempt().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe('SERVICE_UNAVAILABLE');
    }
  });
});

describe('stores without a shared stash', () => {
  it('memory and PostgreSQL have none: the second login step counts its attempts in the database there', () => {
    expect(openLimiterStore({ redisUrl: undefined, redisKeyPrefix: 'unit', pool: undefined, logger: silentLogger }).attemptStash).toBeUndefined();
  });
});

/** An in-memory AttemptStash with the Redis one's contract, to test what the twofactor side makes of it. */
function memoryStash(): AttemptStash & { values: Map<string, string> } {
  const values = new Map<string, string>();
  const counts = new Map<string, number>();
  return {
    values,
    put: async (key, value) => {
      values.set(key, value);
      counts.set(key, 0);
    },
    take: async (key, max) => {
      const value = values.get(key);
      if (value === undefined) return { state: 'missing' };
      const attempts = (counts.get(key) ?? 0) + 1;
      counts.set(key, attempts);
      return attempts > max ? { state: 'exhausted', attempts } : { state: 'taken', attempts, value };
    },
    remove: async (key) => {
      values.delete(key);
    },
  };
}

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
    const taken = await challenges.take('hash', 3, 9_999);
    expect(taken).toEqual({
      state: 'taken',
      attempts: 1,
      challenge: challenge({ credential: { ...challenge().credential!, lastUsedStep: null, lastUsedAt: null } }),
    });
  });

  it('keeps no profile data: only ids, the epoch, the expiry and the sealed secret', async () => {
    const stash = memoryStash();
    await createChallengeStash(stash).put('hash', challenge(), 60);
    expect(JSON.parse([...stash.values.values()][0]!)).toEqual({ c: 'c1', u: 'u1', e: 4, x: 10_000, s: { k: 'v1.sealed', at: 1_000, on: 2_000 } });
  });

  it('an account without an enabled authenticator is stashed without one', async () => {
    const challenges = createChallengeStash(memoryStash());
    await challenges.put('hash', challenge({ credential: undefined }), 60);
    expect(await challenges.take('hash', 3, 0)).toMatchObject({ state: 'taken', challenge: { credential: undefined } });
  });

  it('refuses by the application clock at the expiry, out of attempts, and for a value it cannot read', async () => {
    const stash = memoryStash();
    const challenges = createChallengeStash(stash);
    await challenges.put('hash', challenge(), 60);
    expect(await challenges.take('hash', 3, 10_000)).toEqual({ state: 'refused' });
    expect(await challenges.take('hash', 3, 0)).toMatchObject({ state: 'taken', attempts: 2 });
    expect(await challenges.take('hash', 3, 0)).toMatchObject({ state: 'taken', attempts: 3 });
    expect(await challenges.take('hash', 3, 0)).toEqual({ state: 'refused' });
    for (const garbage of ['not json', '{"c":"c1"}', 'null']) {
      await stash.put('2fa_challenge:bad', garbage, 60);
      expect(await challenges.take('bad', 3, 0)).toEqual({ state: 'refused' });
    }
  });
});
