import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrivatePostgres, privatePostgresAvailable, type PrivatePostgres } from '../support/private-postgres';
import { waitFor } from '../support/processes';
import { testDatabaseKind } from '../support/test-database';
import { registerAndLogin, startTestServer, type TestServer } from '../support/test-server';
import { enableTwoFactor, totpNow } from '../support/two-factor';

/**
 * Fault injection against a real PostgreSQL: stopped, and connections killed mid-request.
 * Refusals are structured 503s, readiness turns false, nothing is half-written, no promise
 * rejection goes unhandled, and service resumes without a restart.
 */
const enabled = privatePostgresAvailable() && testDatabaseKind() === 'pglite';

let postgres: PrivatePostgres;
let server: TestServer;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

beforeAll(async () => {
  if (!enabled) return;
  process.on('unhandledRejection', onUnhandled);
  postgres = await startPrivatePostgres();
  server = await startTestServer({
    database: { kind: 'postgres', databaseUrl: postgres.url, pglite: undefined, drop: async () => undefined },
    env: { DATABASE_POOL_MAX: '5' },
  });
}, 120_000);

afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await server?.close();
  await postgres?.destroy();
});

describe.skipIf(!enabled)('PostgreSQL faults', () => {
  it('PostgreSQL stopped: structured 503s, readiness false, liveness true; back up: same session works again', async () => {
    const { client } = await registerAndLogin(server);
    await postgres.stop('immediate');

    const me = await client.get('/api/auth/me');
    expect(me.status).toBe(503);
    expect(me.body.error_code).toBe('DATABASE_UNAVAILABLE');
    const login = await server.client().post('/api/auth/login', { email: 'someone@example.test', password: 'whatever-password' });
    expect(login.status).toBe(503);
    expect(['DATABASE_UNAVAILABLE', 'SERVICE_UNAVAILABLE']).toContain(login.body.error_code);
    const ready = await server.client().get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.checks.database.ok).toBe(false);
    expect((await server.client().get('/healthz')).status).toBe(200);

    await postgres.start();
    await waitFor(async () => (await server.client().get('/readyz')).status === 200, 20_000, 'readiness after restart');
    expect((await client.get('/api/auth/me')).status).toBe(200);
    expect(unhandled).toEqual([]);
  });

  it('connections killed during concurrent 2FA confirms never leave 2FA half-enabled', async () => {
    const users = await Promise.all(Array.from({ length: 12 }, () => registerAndLogin(server)));
    const setups = await Promise.all(users.map(async (u) => ({ ...u, secret: (await u.client.post('/api/auth/2fa/setup')).body.secret as string })));

    let killing = true;
    const killer = (async () => {
      while (killing) {
        await postgres.killConnections().catch(() => 0);
        await new Promise((r) => setTimeout(r, 15));
      }
    })();
    const results = await Promise.all(setups.map((u) => u.client.post('/api/auth/2fa/confirm', { code: totpNow(server, u.secret) })));
    killing = false;
    await killer;

    for (const response of results) {
      expect([200, 503]).toContain(response.status);
      if (response.status === 503) expect(['DATABASE_UNAVAILABLE', 'SERVICE_UNAVAILABLE']).toContain(response.body.error_code);
    }
    await waitFor(async () => (await server.client().get('/readyz')).status === 200, 20_000, 'readiness');
    for (const [i, user] of setups.entries()) {
      const [row] = await server.proofgate.database.query<{ enabled: boolean; codes: number }>(
        `select c.enabled_at is not null as enabled,
                (select count(*)::int from two_factor_backup_codes b where b.user_id = $1) as codes
           from two_factor_credentials c where c.user_id = $1`,
        [user.userId],
      );
      // Enabled with all ten codes, or still pending with none: never in between.
      expect(row!.enabled ? row!.codes : 0, `user ${i}`).toBe(row!.codes);
      expect(row!.enabled ? 10 : 0, `user ${i}`).toBe(row!.codes);
      if (results[i]!.status === 200) expect(row!.enabled).toBe(true);
    }
    expect(unhandled).toEqual([]);
  });

  it('connections killed during concurrent 2FA disables never leave codes without a credential', async () => {
    const users = [];
    for (let i = 0; i < 10; i += 1) {
      const user = await registerAndLogin(server);
      users.push({ ...user, ...(await enableTwoFactor(server, user.client)) });
    }
    server.clock.advanceSeconds(30);
    const codes = users.map((u) => totpNow(server, u.secret));

    let killing = true;
    const killer = (async () => {
      while (killing) {
        await postgres.killConnections().catch(() => 0);
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    const results = await Promise.all(users.map((u, i) => u.client.post('/api/auth/2fa/disable', { code: codes[i] })));
    killing = false;
    await killer;

    await waitFor(async () => (await server.client().get('/readyz')).status === 200, 20_000, 'readiness');
    for (const [i, user] of users.entries()) {
      expect([200, 503]).toContain(results[i]!.status);
      const [row] = await server.proofgate.database.query<{ credentials: number; codes: number }>(
        `select (select count(*)::int from two_factor_credentials where user_id = $1) as credentials,
                (select count(*)::int from two_factor_backup_codes where user_id = $1) as codes`,
        [user.userId],
      );
      // Either fully disabled (nothing left) or untouched (credential + its 10 codes).
      expect([row!.credentials, row!.codes], `user ${i}`).toEqual(row!.credentials === 0 ? [0, 0] : [1, 10]);
      if (results[i]!.status === 200) expect(row!.credentials).toBe(0);
    }
    expect(unhandled).toEqual([]);
  });
});
