import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerAndLogin, startTestServer, type TestServer } from '../support/test-server';
import { expectRateLimited } from '../support/throttle-refusal';

/**
 * Threat: a signed-in client (any self-registered account) writing rows as fast as it can send.
 * Every state-changing signed-in route wrote something per request with nothing counting them:
 * an audit row per two-factor setup, per passkey rename, per "sign out everywhere". Since
 * SESSION_WRITES_MAX_PER_HOUR every such request spends a point of its session's hourly budget.
 */

const BUDGET = 3;
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { SESSION_WRITES_MAX_PER_HOUR: String(BUDGET) } });
});
afterAll(async () => {
  await server?.close();
});

const auditCount = async (userId: string, type: string) =>
  (
    await server.proofgate.database.query<{ n: number }>('select count(*)::int as n from security_events where user_id = $1 and type = $2', [
      userId,
      type,
    ])
  )[0]!.n;

describe('SESSION_WRITES_MAX_PER_HOUR: the state-changing requests of one session', () => {
  it('past the budget a session gets 429 RATE_LIMITED on every write route and writes nothing; its reads still answer; another session of the account still signs out everywhere', async () => {
    const { client, email, password, userId } = await registerAndLogin(server);
    for (let i = 0; i < BUDGET; i += 1) expect((await client.post('/api/auth/2fa/setup')).status).toBe(200);
    expect(await auditCount(userId, '2fa.setup_started')).toBe(BUDGET);

    for (const [path, body] of [
      ['/api/auth/2fa/setup', undefined],
      ['/api/auth/sessions/revoke-others', undefined],
      // Invalid input counts too: the budget bounds what a session sends, not what succeeds.
      ['/api/auth/password', { nonsense: true }],
    ] as const) {
      expectRateLimited(await client.post(path, body));
    }
    expect(await auditCount(userId, '2fa.setup_started')).toBe(BUDGET);
    expect(await auditCount(userId, 'sessions.revoked_others')).toBe(0);
    // The lockout is audited once, against the account.
    expect(await auditCount(userId, 'limits.rate_limited')).toBe(1);

    expect((await client.get('/api/auth/me')).status).toBe(200);
    expect((await client.get('/api/auth/2fa/status')).status).toBe(200);

    // Per session: a stolen session that spent its budget cannot stop the owner's own session.
    const owner = server.client();
    expect((await owner.post('/api/auth/login', { email, password })).status).toBe(200);
    const everywhere = await owner.post('/api/auth/sessions/revoke-others');
    expect(everywhere.status).toBe(200);
    expect((await client.get('/api/auth/me')).status).toBe(401);
    // Signing out is never counted.
    expect((await owner.post('/api/auth/logout')).status).toBe(204);
  });

  it('the API document lists RATE_LIMITED for every signed-in route that is not a read', async () => {
    const document = (await server.client().get('/api/openapi.json')).body as {
      paths: Record<string, Record<string, { 'x-access': string; 'x-error-codes': string[] }>>;
    };
    const writes = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.entries(operations)
        .filter(([method, op]) => method !== 'get' && (op['x-access'] === 'session' || op['x-access'] === 'admin'))
        .map(([method, op]) => ({ route: `${method} ${path}`, rateLimited: op['x-error-codes'].includes('RATE_LIMITED') })),
    );
    expect(writes.length).toBeGreaterThan(10);
    expect(writes.filter((w) => !w.rateLimited)).toEqual([]);
  });
});
