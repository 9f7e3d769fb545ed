import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server';
import { testDatabaseKind } from '../support/test-database';
import { createTwoFactorUser, startTwoFactorLogin, totpNow, wrongTotpNow } from '../support/two-factor';

/**
 * 200 parallel wrong guesses for one user: the number of code evaluations (one
 * `2fa.verify.failed` audit row each) may never exceed the limit, whatever the store. With Redis
 * the temp token's attempts are counted in its shared stash, on either database.
 */
const stores: Array<{ name: string; env: Record<string, string> }> = [
  { name: testDatabaseKind() === 'postgres' ? 'postgres' : 'memory', env: {} },
];
if (process.env.TEST_REDIS_URL) {
  stores.push({ name: 'redis', env: { REDIS_URL: process.env.TEST_REDIS_URL, REDIS_KEY_PREFIX: `pgtest_${randomBytes(4).toString('hex')}` } });
}

const servers: TestServer[] = [];
afterAll(async () => {
  for (const server of servers) await server.close();
});

async function countEvaluations(server: TestServer, userId: string): Promise<number> {
  const rows = await server.proofgate.database.query<{ n: number }>(
    "select count(*)::int as n from security_events where user_id = $1 and type = '2fa.verify.failed'",
    [userId],
  );
  return rows[0]!.n;
}

describe.each(stores)('limiter store: $name', ({ name, env }) => {
  it(`[${name}] 200 parallel wrong codes on one temp token: at most 5 evaluations`, async () => {
    const server = await startTestServer({ env: { ...env, TWO_FACTOR_IP_MAX_FAILURES: '100000', TWO_FACTOR_USER_MAX_FAILURES: '1000' } });
    servers.push(server);
    expect((await server.client().get('/readyz')).body.checks.limiter_store.detail).toBe(name);
    const user = await createTwoFactorUser(server);
    const { tempToken } = await startTwoFactorLogin(server, user.email);
    const wrong = wrongTotpNow(server, user.secret);
    const responses = await Promise.all(
      Array.from({ length: 200 }, () => server.client().post('/api/auth/2fa/verify', { temp_token: tempToken, code: wrong })),
    );
    const codes = responses.map((r) => r.body.error_code);
    expect(responses.every((r) => r.status < 500)).toBe(true);
    expect(codes.filter((c) => c === 'INVALID_CODE')).toHaveLength(5);
    expect(codes.filter((c) => c === 'TEMP_TOKEN_INVALID')).toHaveLength(195);
    expect(await countEvaluations(server, user.userId)).toBe(5);
  });

  it(`[${name}] 200 parallel wrong codes over 40 temp tokens: at most 10 evaluations, then locked`, async () => {
    const server = await startTestServer({ env: { ...env, TWO_FACTOR_IP_MAX_FAILURES: '100000', TWO_FACTOR_USER_MAX_FAILURES: '10' } });
    servers.push(server);
    const user = await createTwoFactorUser(server);
    const tokens: string[] = [];
    for (let i = 0; i < 40; i += 1) tokens.push((await startTwoFactorLogin(server, user.email)).tempToken);
    const wrong = wrongTotpNow(server, user.secret);
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, i) => server.client().post('/api/auth/2fa/verify', { temp_token: tokens[i % 40], code: wrong })),
    );
    expect(responses.every((r) => r.status < 500)).toBe(true);
    expect(responses.some((r) => r.status === 200)).toBe(false);
    const evaluations = await countEvaluations(server, user.userId);
    expect(evaluations).toBeLessThanOrEqual(10);
    expect(responses.filter((r) => r.body.error_code === 'INVALID_CODE')).toHaveLength(evaluations);
    expect(responses.filter((r) => r.body.error_code === 'TWO_FACTOR_LOCKED').length).toBeGreaterThanOrEqual(190);
    const locked = responses.find((r) => r.body.error_code === 'TWO_FACTOR_LOCKED')!;
    expect(locked.body.retry_after).toBeGreaterThanOrEqual(1);
    expect(locked.headers.get('retry-after')).toBe(String(locked.body.retry_after));

    const { tempToken } = await startTwoFactorLogin(server, user.email);
    const correct = await server.client().post('/api/auth/2fa/verify', { temp_token: tempToken, code: totpNow(server, user.secret) });
    expect(correct.body.error_code).toBe('TWO_FACTOR_LOCKED');
  });
});
