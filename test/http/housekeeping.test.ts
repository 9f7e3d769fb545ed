import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { HOUSEKEEPING_LOCK_NAMESPACE } from '../../src/server/housekeeping/store';
import { PURGE_GRACE_MS } from '../../src/server/housekeeping/worker';
import { testDatabaseKind } from '../support/test-database';
import { createTwoFactorUser, startTwoFactorLogin, totpNow } from '../support/two-factor';
import { registerAndLogin, startTestServer, type TestServer } from '../support/test-server';

/**
 * Rows that can never be used again are deleted in the background: without it every sign-in
 * left its session row (and every password step its temp token) in the database for good,
 * however long ago it expired. The pass runs here by hand, against the server's fake clock.
 */

const IDLE_SECONDS = 60;
const RETENTION_DAYS = 30;
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { SESSION_IDLE_SECONDS: String(IDLE_SECONDS), AUDIT_RETENTION_DAYS: String(RETENTION_DAYS) } });
});
afterAll(async () => {
  await server?.close();
});

const DAY_SECONDS = 24 * 3600;
const rowsOf = async (table: string, userId: string) =>
  (await server.proofgate.database.query<{ n: number }>(`select count(*)::int as n from ${table} where user_id = $1`, [userId]))[0]!.n;

describe('housekeeping: expired sessions and spent temp tokens are purged; live ones never', () => {
  it('deletes a session once the resolver would refuse it and keeps the one in use', async () => {
    const idle = await registerAndLogin(server);
    server.clock.advanceSeconds(IDLE_SECONDS + 1);
    const active = await registerAndLogin(server);
    expect(await rowsOf('sessions', idle.userId)).toBe(1);

    const counts = await server.proofgate.services.housekeeping.runOnce();
    expect(counts.sessions).toBeGreaterThanOrEqual(1);
    expect(await rowsOf('sessions', idle.userId)).toBe(0);
    expect((await idle.client.get('/api/auth/me')).status).toBe(401);
    expect(await rowsOf('sessions', active.userId)).toBe(1);
    expect((await active.client.get('/api/auth/me')).status).toBe(200);
  });

  it('keeps an expired temp token for a day, so it is still answered TEMP_TOKEN_EXPIRED, then deletes it', async () => {
    const user = await createTwoFactorUser(server);
    const { client, tempToken } = await startTwoFactorLogin(server, user.email);
    const ttlSeconds = server.proofgate.config.twoFactor.tempTokenTtlSeconds;

    server.clock.advanceSeconds(ttlSeconds + 1);
    await server.proofgate.services.housekeeping.runOnce();
    expect(await rowsOf('two_factor_challenges', user.userId)).toBe(1);
    const expired = await client.post('/api/auth/2fa/verify', { temp_token: tempToken, code: totpNow(server, user.secret) });
    expect(expired.body.error_code).toBe('TEMP_TOKEN_EXPIRED');

    server.clock.advanceMs(PURGE_GRACE_MS);
    const counts = await server.proofgate.services.housekeeping.runOnce();
    expect(counts.two_factor_challenges).toBeGreaterThanOrEqual(1);
    expect(await rowsOf('two_factor_challenges', user.userId)).toBe(0);
  });

  it('deletes security events older than AUDIT_RETENTION_DAYS and keeps the newer ones', async () => {
    const old = await registerAndLogin(server);
    expect(await rowsOf('security_events', old.userId)).toBeGreaterThan(0);
    server.clock.advanceSeconds((RETENTION_DAYS + 1) * DAY_SECONDS);
    const recent = await registerAndLogin(server);
    const recentEvents = await rowsOf('security_events', recent.userId);
    expect(recentEvents).toBeGreaterThan(0);

    const counts = await server.proofgate.services.housekeeping.runOnce();
    expect(counts.security_events).toBeGreaterThan(0);
    expect(await rowsOf('security_events', old.userId)).toBe(0);
    expect(await rowsOf('security_events', recent.userId)).toBe(recentEvents);
  });

  it('deletes sent and given-up mail a month on, never mail still to be sent', async () => {
    const { userId } = await registerAndLogin(server);
    const insert = (status: string, age: string) =>
      server.proofgate.database.query(
        `insert into mail_outbox (user_id, kind, payload, status, next_attempt_at, created_at) values ($1, 'new_device_sign_in', '', $2, now(), now() - $3::interval)`,
        [userId, status, age],
      );
    await insert('sent', '31 days');
    await insert('failed', '31 days');
    await insert('pending', '31 days');
    await insert('sent', '1 day');
    await server.proofgate.services.housekeeping.runOnce();
    const left = await server.proofgate.database.query<{ status: string }>('select status from mail_outbox where user_id = $1 order by status', [userId]);
    expect(left.map((row) => row.status)).toEqual(['pending', 'sent']);
  });

  it('deletes integration usage events past AUDIT_RETENTION_DAYS but keeps each integration\'s newest success, so "used" survives a quiet year', async () => {
    const nowMs = server.clock.nowMs();
    const daysAgo = (days: number) => new Date(nowMs - days * DAY_SECONDS * 1000);
    const integration = `test-integration-${nowMs}`;
    const insert = (trace: string, status: string, createdAt: Date) =>
      server.proofgate.database.query(
        `insert into integration_usage_events (integration, action, status, trace_id, created_at) values ($1, 'send', $2, $3, $4)`,
        [integration, status, `${integration}-${trace}`, createdAt],
      );
    await insert('old-success', 'success', daysAgo(RETENTION_DAYS + 50));
    await insert('old-failure', 'failed', daysAgo(RETENTION_DAYS + 40));
    await insert('newest-old-success', 'success', daysAgo(RETENTION_DAYS + 30));
    await insert('old-failure-after-it', 'failed', daysAgo(RETENTION_DAYS + 20));
    await insert('recent-failure', 'failed', daysAgo(1));

    const counts = await server.proofgate.services.housekeeping.runOnce();
    expect(counts.integration_usage_events).toBeGreaterThanOrEqual(3);
    const left = await server.proofgate.database.query<{ trace_id: string }>(
      'select trace_id from integration_usage_events where integration = $1 order by created_at',
      [integration],
    );
    expect(left.map((row) => row.trace_id.slice(integration.length + 1))).toEqual(['newest-old-success', 'recent-failure']);
    const usage = await server.proofgate.services.integrationStore.summarizeUsage(integration, daysAgo(1));
    expect(usage.lastSuccessAt?.getTime()).toBe(daysAgo(RETENTION_DAYS + 30).getTime());
  });

  // PGlite has one connection, whose open transaction would hold up every other statement: the
  // turn-taking of instances is a PostgreSQL matter.
  it.runIf(testDatabaseKind() === 'postgres')('takes turns with other instances: while another holds the housekeeping lock, a pass deletes nothing; after, it does', async () => {
    const idle = await registerAndLogin(server);
    server.clock.advanceSeconds(IDLE_SECONDS + 1);
    let locked!: () => void;
    let release!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    // "Another instance" mid-pass: a transaction of its own holding the same lock.
    const otherInstance = server.proofgate.database.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(${HOUSEKEEPING_LOCK_NAMESPACE}::int, 0)`);
      locked();
      await released;
    });
    await isLocked;
    try {
      await server.proofgate.services.housekeeping.runOnce();
      expect(await rowsOf('sessions', idle.userId)).toBe(1);
    } finally {
      release();
      await otherInstance;
    }
    const counts = await server.proofgate.services.housekeeping.runOnce();
    expect(counts.sessions).toBeGreaterThanOrEqual(1);
    expect(await rowsOf('sessions', idle.userId)).toBe(0);
  });
});
