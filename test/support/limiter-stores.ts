import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { afterAll } from 'vitest';
import { openLimiterStore, type LimiterStore } from '../../src/server/limits/limiter-store';

export const silentLogger = pino({ level: 'silent' });

/**
 * The limiter stores a unit test of the throttles runs against: memory always, Redis when
 * TEST_REDIS_URL is set (a fresh key prefix per store opened, so runs never share counters).
 */
export function limiterStoresUnderTest(prefix: string): Array<{ name: string; open: () => LimiterStore }> {
  const stores = [{ name: 'memory', open: () => openLimiterStore({ redisUrl: undefined, redisKeyPrefix: 'unit', pool: undefined, logger: silentLogger }) }];
  const redisUrl = process.env.TEST_REDIS_URL;
  if (redisUrl) {
    stores.push({
      name: 'redis',
      open: () => openLimiterStore({ redisUrl, redisKeyPrefix: `${prefix}_${randomBytes(4).toString('hex')}`, pool: undefined, logger: silentLogger }),
    });
  }
  return stores;
}

/** Closes every store handed to `closeAfterTests` or `ready` once the calling file's tests are done. */
export function closingLimiterStores() {
  const opened: LimiterStore[] = [];
  afterAll(async () => {
    for (const store of opened) await store.close();
  });
  const closeAfterTests = (store: LimiterStore): LimiterStore => {
    opened.push(store);
    return store;
  };
  /** The store, once it answered a ping. */
  const ready = async (store: LimiterStore): Promise<LimiterStore> => {
    await closeAfterTests(store).ping();
    return store;
  };
  return { ready, closeAfterTests };
}
