import { afterAll, describe, expect, it } from 'vitest';
import { startPrivateRedis, waitFor, type PrivateRedis } from '../support/processes';
import { startTestServer, STRONG_PASSWORD, uniqueEmail, type TestServer } from '../support/test-server';
import { testDatabaseKind } from '../support/test-database';
import { createTwoFactorUser, startTwoFactorLogin, totpNextStep } from '../support/two-factor';

/**
 * The limiter store goes away mid-test: credential routes fail closed with 503 and an
 * error_code (never a 500, never an unthrottled check), readiness turns false, and service
 * resumes without a restart when the store returns. Uses a private redis-server.
 */
let redis: PrivateRedis | undefined;
let server: TestServer | undefined;
afterAll(async () => {
  await server?.close();
  await redis?.stop();
});

describe.skipIf(testDatabaseKind() !== 'pglite')('Redis limiter store outage', () => {
  it('fails closed with 503 SERVICE_UNAVAILABLE while Redis is down and recovers on its own', async () => {
    redis = await startPrivateRedis();
    server = await startTestServer({ env: { REDIS_URL: redis.url } });
    const user = await createTwoFactorUser(server);
    const { client, tempToken } = await startTwoFactorLogin(server, user.email);
    expect((await client.post('/api/auth/2fa/verify', { temp_token: tempToken, code: '000001' })).body.error_code).toBe('INVALID_CODE');

    await redis.stop();
    const verify = await client.post('/api/auth/2fa/verify', { temp_token: tempToken, code: totpNextStep(server, user.secret) });
    expect(verify.status).toBe(503);
    expect(verify.body.error_code).toBe('SERVICE_UNAVAILABLE');
    const login = await server.client().post('/api/auth/login', { email: user.email, password: STRONG_PASSWORD });
    expect(login.status).toBe(503);
    expect(login.body.error_code).toBe('SERVICE_UNAVAILABLE');
    // Registration is throttled too (enumeration), so it fails closed the same way.
    const signUp = await server.client().post('/api/auth/register', { email: uniqueEmail('outage'), password: STRONG_PASSWORD });
    expect(signUp.status).toBe(503);
    expect(signUp.body.error_code).toBe('SERVICE_UNAVAILABLE');
    const ready = await server.client().get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.checks.limiter_store.ok).toBe(false);
    // Fail closed: no session was handed out while the throttle could not count.
    expect((await client.get('/api/auth/me')).status).toBe(401);

    await redis.start();
    await waitFor(async () => (await server!.client().get('/readyz')).status === 200, 15_000, 'readiness after Redis returns');
    const again = await startTwoFactorLogin(server, user.email);
    const ok = await again.client.post('/api/auth/2fa/verify', { temp_token: again.tempToken, code: totpNextStep(server, user.secret) });
    expect(ok.status).toBe(200);
    expect(server.logs.some((line) => line.includes('"level":"error"') && line.includes('INTERNAL_ERROR'))).toBe(false);
  });
});
