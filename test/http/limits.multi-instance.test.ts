import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTotpCode } from '../../src/server/twofactor/totp';
import { HttpClient } from '../support/http-client';
import { CHILD_PROCESS_TEST_TIMEOUT_MS, startChildServer, type ChildServer } from '../support/processes';
import { createTestDatabase, testDatabaseKind, type TestDatabase } from '../support/test-database';
import { STRONG_PASSWORD, TEST_APP_ENC_KEY, uniqueEmail } from '../support/test-server';

/**
 * Two real server processes share PostgreSQL (and Redis when configured): wrong guesses
 * alternating between them must lock the user at the same global threshold.
 */
const isPostgres = testDatabaseKind() === 'postgres';
const variants = [{ name: 'postgres limiter store', redis: false }];
if (process.env.TEST_REDIS_URL) variants.push({ name: 'redis limiter store', redis: true });

let database: TestDatabase | undefined;
const running: ChildServer[] = [];

beforeAll(async () => {
  if (isPostgres) database = await createTestDatabase();
});
afterAll(async () => {
  for (const child of running) await child.stop();
  await database?.drop();
});

describe.skipIf(!isPostgres).each(variants)('two instances, $name', ({ redis }) => {
  it('alternating wrong guesses lock the user at exactly 10 failures across both; a temp token from one signs in once on the other', { timeout: CHILD_PROCESS_TEST_TIMEOUT_MS }, async () => {
    const env: Record<string, string> = {
      DATABASE_URL: database!.databaseUrl!,
      APP_ENC_KEY: TEST_APP_ENC_KEY,
      DATA_DIR: '/nonexistent-proofgate-test-data',
      TWO_FACTOR_TEMP_TOKEN_MAX_FAILURES: '50',
      TWO_FACTOR_USER_MAX_FAILURES: '10',
      ...(redis ? { REDIS_URL: process.env.TEST_REDIS_URL!, REDIS_KEY_PREFIX: `pgtest_${randomBytes(4).toString('hex')}` } : {}),
    };
    const [a, b] = await Promise.all([startChildServer(env), startChildServer(env)]);
    running.push(a!, b!);
    const readyA = await new HttpClient(a!.url).get('/readyz');
    expect(readyA.body.checks.limiter_store.detail).toBe(redis ? 'redis' : 'postgres');

    const email = uniqueEmail('multi');
    const alice = new HttpClient(a!.url);
    await alice.post('/api/auth/register', { email, password: STRONG_PASSWORD });
    await alice.post('/api/auth/login', { email, password: STRONG_PASSWORD });
    const setup = await alice.post('/api/auth/2fa/setup');
    const secret = setup.body.secret as string;
    expect((await alice.post('/api/auth/2fa/confirm', { code: generateTotpCode(secret, Date.now()) })).status).toBe(200);

    const login = await new HttpClient(b!.url).post('/api/auth/login', { email, password: STRONG_PASSWORD });
    const tempToken = login.body.temp_token as string;
    const wrong = () => (generateTotpCode(secret, Date.now()) === '000000' ? '111111' : '000000');
    for (let i = 0; i < 10; i += 1) {
      const instance = i % 2 === 0 ? a! : b!;
      const response = await new HttpClient(instance.url).post('/api/auth/2fa/verify', { temp_token: tempToken, code: wrong() });
      expect(response.body.error_code, `guess ${i + 1} on instance ${i % 2 === 0 ? 'A' : 'B'}`).toBe('INVALID_CODE');
    }
    for (const instance of [a!, b!]) {
      const locked = await new HttpClient(instance.url).post('/api/auth/2fa/verify', {
        temp_token: tempToken,
        code: generateTotpCode(secret, Date.now()),
      });
      expect(locked.status).toBe(429);
      expect(locked.body.error_code).toBe('TWO_FACTOR_LOCKED');
      expect(locked.body.retry_after).toBeGreaterThan(800);
    }

    // A temp token handed out by one instance signs in on the other, once: with Redis its stash
    // (attempts and sealed secret) is shared, without it the database is.
    const bobEmail = uniqueEmail('multi');
    const bob = new HttpClient(a!.url);
    await bob.post('/api/auth/register', { email: bobEmail, password: STRONG_PASSWORD });
    await bob.post('/api/auth/login', { email: bobEmail, password: STRONG_PASSWORD });
    const bobSecret = (await bob.post('/api/auth/2fa/setup')).body.secret as string;
    expect((await bob.post('/api/auth/2fa/confirm', { code: generateTotpCode(bobSecret, Date.now()) })).status).toBe(200);
    const bobToken = (await new HttpClient(b!.url).post('/api/auth/login', { email: bobEmail, password: STRONG_PASSWORD })).body.temp_token as string;
    const nextCode = generateTotpCode(bobSecret, Date.now() + 30_000);
    const signedIn = await new HttpClient(a!.url).post('/api/auth/2fa/verify', { temp_token: bobToken, code: nextCode });
    expect(signedIn.status, signedIn.text).toBe(200);
    const reused = await new HttpClient(b!.url).post('/api/auth/2fa/verify', { temp_token: bobToken, code: nextCode });
    expect(reused.body.error_code).toBe('TEMP_TOKEN_INVALID');
    await Promise.all([a!.stop(), b!.stop()]);
  });
});
