import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server';
import { createTwoFactorUser, startTwoFactorLogin } from '../support/two-factor';

/** X-Forwarded-For is a client-controlled header: without TRUST_PROXY it must not pick the limiter key. */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { TWO_FACTOR_IP_MAX_FAILURES: '3', TWO_FACTOR_USER_MAX_FAILURES: '100' } });
});
afterAll(async () => {
  await server?.close();
});

describe('client address without TRUST_PROXY', () => {
  it('ignores spoofed X-Forwarded-For: rotating it does not escape the per-IP limit', async () => {
    const user = await createTwoFactorUser(server);
    const { client, tempToken } = await startTwoFactorLogin(server, user.email);
    const responses = [];
    for (let i = 0; i < 4; i += 1) {
      responses.push(
        await client.post('/api/auth/2fa/verify', { temp_token: tempToken, code: '000000' }, { headers: { 'x-forwarded-for': `203.0.113.${i}` } }),
      );
    }
    expect(responses.slice(0, 3).map((r) => r.status)).toEqual([400, 400, 400]);
    expect(responses[3]!.status).toBe(429);
    expect(responses[3]!.body.error_code).toBe('RATE_LIMITED');
    const events = await server.proofgate.database.query<{ ip: string }>(
      "select ip from security_events where type = '2fa.verify.failed' and user_id = $1",
      [user.userId],
    );
    expect(new Set(events.map((e) => e.ip))).toEqual(new Set(['127.0.0.1']));
  });
});
