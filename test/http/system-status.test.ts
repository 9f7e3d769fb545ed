import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import type { TwilioFake } from '../../tools/twilio-fake';
import { openLimiterStore, type LimiterStore } from '../../src/server/limits/limiter-store';
import { isPublicHost } from '../../src/server/system/status-checks';
import type { HttpClient } from '../support/http-client';
import { registerAndLogin, type TestServer } from '../support/test-server';
import { startFake, startServerWithAdmin, twilioEnv, usageRowByTrace } from '../support/twilio';
import type { SmtpFake } from '../../tools/smtp-fake';
import { smtpEnv, startSmtp } from '../support/smtp';

let fake: TwilioFake;
let smtp: SmtpFake;
let server: TestServer;
let admin: HttpClient;
let limiterDown = false;

beforeAll(async () => {
  fake = await startFake();
  smtp = await startSmtp();
  // A real memory limiter store whose reachability the test can switch, to show the blocker come and go.
  const memory = openLimiterStore({ redisUrl: undefined, redisKeyPrefix: 't', pool: undefined, logger: pino({ level: 'silent' }) });
  const switchable: LimiterStore = {
    ...memory,
    async ping() {
      if (limiterDown) throw new Error('unreachable');
    },
  };
  ({ server, admin } = await startServerWithAdmin({ deps: { limiterStore: switchable } }));
});
afterAll(async () => {
  await server?.close();
  await fake?.close();
  await smtp?.close();
});

async function systemStatus(client: HttpClient, query = '') {
  const response = await client.get(`/api/system/status${query}`);
  expect(response.status).toBe(200);
  return response.body as { status: string; blockers: Array<{ code: string; severity: string; message: string; fix: string }>; checks: Record<string, { ok: boolean; detail?: string }> };
}

const codes = (report: { blockers: Array<{ code: string }> }) => report.blockers.map((b) => b.code);

async function withServer(options: Parameters<typeof startServerWithAdmin>[0], body: (admin: HttpClient, server: TestServer) => Promise<void>) {
  const started = await startServerWithAdmin(options);
  try {
    await body(started.admin, started.server);
  } finally {
    await started.server.close();
  }
}

describe('GET /api/system/status', () => {
  it('with no Twilio keys: degraded, TWILIO_NOT_CONFIGURED names the missing variables, and a send is refused with a not_configured row', async () => {
    const report = await systemStatus(admin);
    expect(report.status).toBe('degraded');
    expect(codes(report)).toEqual(['TWILIO_NOT_CONFIGURED', 'SMTP_NOT_CONFIGURED']);
    const [blocker] = report.blockers;
    expect(blocker).toMatchObject({ severity: 'degraded', message: expect.stringContaining('TWILIO_ACCOUNT_SID is not set'), fix: expect.stringContaining('TWILIO_FROM_NUMBER') });
    expect(report.checks).toMatchObject({
      twilio: { ok: false, detail: 'not configured' },
      encryption_key: { ok: true },
      stored_secrets: { ok: true },
      migrations: { ok: true },
      limiter_store: { ok: true },
      cookies: { ok: true },
    });

    const send = await admin.post('/api/alerts/sms/test', { to: '+14155550123' });
    expect(send.status).toBe(503);
    expect(send.body.error_code).toBe('SMS_NOT_CONFIGURED');
    expect(await usageRowByTrace(server, send.body.trace_id)).toEqual([expect.objectContaining({ status: 'not_configured' })]);
  });

  it('with keys pointing at the fake: the Twilio blocker is gone and the status is ok', async () => {
    await withServer({ env: { ...twilioEnv(fake), ...smtpEnv(smtp) } }, async (keyedAdmin) => {
      const report = await systemStatus(keyedAdmin);
      expect(report.blockers).toEqual([]);
      expect(report.status).toBe('ok');
      expect(report.checks.twilio).toMatchObject({ ok: true, detail: expect.stringMatching(/^connected/) });
    });
  });

  it('with wrong credentials: TWILIO_NOT_CONNECTED naming Twilio\'s 20003', async () => {
    await withServer({ env: { ...twilioEnv(fake, { TWILIO_AUTH_TOKEN: 'wrong-token' }), ...smtpEnv(smtp) } }, async (wrongAdmin) => {
      const report = await systemStatus(wrongAdmin);
      expect(report.status).toBe('degraded');
      expect(codes(report)).toEqual(['TWILIO_NOT_CONNECTED']);
      expect(report.blockers[0]!.message).toContain('20003');
    });
  });

  it('a limiter store that stops answering is blocked, and unblocked without a restart', async () => {
    limiterDown = true;
    try {
      const report = await systemStatus(admin);
      expect(report.status).toBe('blocked');
      expect(report.blockers).toContainEqual(expect.objectContaining({ code: 'LIMITER_STORE_UNREACHABLE', severity: 'blocked' }));
    } finally {
      limiterDown = false;
    }
    expect(codes(await systemStatus(admin))).not.toContain('LIMITER_STORE_UNREACHABLE');
  });

  it('stored secrets under a key no configured key matches → blocked, gone once they are', async () => {
    const user = await registerAndLogin(server);
    await server.proofgate.database.query('insert into two_factor_credentials (user_id, secret_ciphertext) values ($1, $2)', [user.userId, 'v1.00000000deadbeef.aaaa.bbbb.cccc']);
    const report = await systemStatus(admin);
    expect(report.status).toBe('blocked');
    const blocker = report.blockers.find((b) => b.code === 'ENCRYPTION_KEY_NOT_CONFIGURED_FOR_STORED_SECRETS');
    expect(blocker).toMatchObject({ severity: 'blocked', message: expect.stringContaining('00000000deadbeef') });
    await server.proofgate.database.query('delete from two_factor_credentials where user_id = $1', [user.userId]);
    expect(codes(await systemStatus(admin))).not.toContain('ENCRYPTION_KEY_NOT_CONFIGURED_FOR_STORED_SECRETS');
  });

  it('a migration the database has not applied → MIGRATIONS_PENDING, gone once it is', async () => {
    const db = server.proofgate.database;
    const [last] = await db.query<{ id: number; hash: string; created_at: string }>(
      'select id, hash, created_at::text as created_at from proofgate.__drizzle_migrations order by created_at desc limit 1',
    );
    await db.query('delete from proofgate.__drizzle_migrations where id = $1', [last!.id]);
    try {
      const report = await systemStatus(admin);
      expect(report.blockers).toContainEqual(expect.objectContaining({ code: 'MIGRATIONS_PENDING', severity: 'blocked', message: expect.stringContaining('1 database migration') }));
    } finally {
      await db.query('insert into proofgate.__drizzle_migrations (id, hash, created_at) values ($1, $2, $3)', [last!.id, last!.hash, last!.created_at]);
    }
    expect(codes(await systemStatus(admin))).not.toContain('MIGRATIONS_PENDING');
  });

  it('a generated development key → APP_ENC_KEY_GENERATED (degraded)', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'proofgate-status-'));
    try {
      await withServer({ env: { APP_ENC_KEY: '', DATA_DIR: dataDir } }, async (generatedAdmin) => {
        const report = await systemStatus(generatedAdmin);
        expect(report.blockers).toContainEqual(expect.objectContaining({ code: 'APP_ENC_KEY_GENERATED', severity: 'degraded' }));
        expect(report.checks.encryption_key).toEqual({ ok: false, detail: 'generated development key' });
      });
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('INSECURE_COOKIES: a public https PUBLIC_URL outside production, or production served over http', async () => {
    await withServer({ env: { PUBLIC_URL: 'https://proofgate.example.com' } }, async (devAdmin) => {
      const report = await systemStatus(devAdmin);
      expect(report.status).toBe('blocked');
      expect(report.blockers).toContainEqual(expect.objectContaining({ code: 'INSECURE_COOKIES', fix: expect.stringContaining('NODE_ENV=production') }));
    });
    await withServer({ env: { NODE_ENV: 'production', PUBLIC_URL: 'http://proofgate.example.com' } }, async (prodAdmin) => {
      const report = await systemStatus(prodAdmin);
      expect(report.blockers).toContainEqual(expect.objectContaining({ code: 'INSECURE_COOKIES', fix: expect.stringContaining('HTTPS') }));
    });
    expect(isPublicHost('proofgate.example.com')).toBe(true);
    expect(isPublicHost('93.184.216.34')).toBe(true);
    for (const host of ['localhost', 'app.localhost', '127.0.0.1', '[::1]', '10.1.2.3', 'intranet', 'proofgate.test']) expect(isPublicHost(host)).toBe(false);
  });

  it('admin only; /readyz stays public', async () => {
    const user = await registerAndLogin(server);
    expect((await user.client.get('/api/system/status')).body.error_code).toBe('FORBIDDEN');
    expect((await server.client().get('/api/system/status')).body.error_code).toBe('UNAUTHENTICATED');
    expect((await server.client().get('/readyz')).status).toBe(200);
  });
});
