import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TwilioFake } from '../../tools/twilio-fake';
import type { HttpClient } from '../support/http-client';
import { registerAndLogin, startTestServer, type TestServer } from '../support/test-server';
import { FAKE_ACCOUNT_SID, startFake, startServerWithAdmin, twilioEnv } from '../support/twilio';

let fake: TwilioFake;
let server: TestServer;
let admin: HttpClient;

beforeAll(async () => {
  fake = await startFake();
  // Sessions outlive the 24 h the clock is moved by below.
  ({ server, admin } = await startServerWithAdmin({ env: { ...twilioEnv(fake), SESSION_IDLE_SECONDS: '200000', SESSION_ABSOLUTE_SECONDS: '400000' } }));
});
afterAll(async () => {
  await server?.close();
  await fake?.close();
});

const accountFetches = () => fake.requests().filter((r) => r.method === 'GET' && r.path === `/2010-04-01/Accounts/${FAKE_ACCOUNT_SID}.json`).length;

async function twilioStatus(client = admin, query = '') {
  const response = await client.get(`/api/integrations/status${query}`);
  expect(response.status).toBe(200);
  expect(response.body.integrations.map((i: { name: string }) => i.name)).toEqual(['twilio', 'smtp']);
  return response.body.integrations[0] as Record<string, any>;
}

async function sendSms(to = '+14155550123') {
  return admin.post('/api/alerts/sms/test', { to });
}

describe('GET /api/integrations/status', () => {
  it('with keys pointing at the fake: configured, connected after one credential check, nothing used yet', async () => {
    const status = await twilioStatus();
    expect(status).toEqual({
      name: 'twilio',
      configured: true,
      connected: true,
      last_checked_at: new Date(server.clock.nowMs()).toISOString(),
      last_used_at: null,
      proof_of_use_count_24h: 0,
      last_error_code: null,
    });
    expect(accountFetches()).toBe(1);
  });

  it('the credential check is cached for INTEGRATION_CHECK_INTERVAL_SECONDS and refreshable with ?refresh=1', async () => {
    const before = accountFetches();
    await twilioStatus();
    expect(accountFetches()).toBe(before);
    server.clock.advanceSeconds(10);
    const refreshed = await twilioStatus(admin, '?refresh=1');
    expect(accountFetches()).toBe(before + 1);
    expect(refreshed.last_checked_at).toBe(new Date(server.clock.nowMs()).toISOString());
    server.clock.advanceSeconds(301);
    await twilioStatus();
    expect(accountFetches()).toBe(before + 2);
    expect((await admin.get('/api/integrations/status?refresh=maybe')).body.error_code).toBe('VALIDATION_FAILED');
  });

  it('proof_of_use_count_24h counts each successful send once, ignores failures; last_used_at follows the newest success', async () => {
    const start = (await twilioStatus()).proof_of_use_count_24h as number;

    server.clock.advanceSeconds(60);
    expect((await sendSms()).status).toBe(200);
    const afterOne = await twilioStatus();
    expect(afterOne.proof_of_use_count_24h).toBe(start + 1);
    expect(afterOne.last_used_at).toBe(new Date(server.clock.nowMs()).toISOString());
    expect(afterOne.last_error_code).toBeNull();

    server.clock.advanceSeconds(60);
    expect((await sendSms('+15005550001')).status).toBe(502);
    const afterFailure = await twilioStatus();
    expect(afterFailure.proof_of_use_count_24h).toBe(start + 1);
    expect(afterFailure.last_used_at).toBe(afterOne.last_used_at);
    expect(afterFailure.last_error_code).toBe('21211');
    // Looking at the status (which runs a check) does not hide the failed send.
    expect((await twilioStatus(admin, '?refresh=1')).last_error_code).toBe('21211');

    server.clock.advanceSeconds(60);
    expect((await sendSms()).status).toBe(200);
    const afterTwo = await twilioStatus();
    expect(afterTwo.proof_of_use_count_24h).toBe(start + 2);
    expect(afterTwo.last_used_at).toBe(new Date(server.clock.nowMs()).toISOString());
    expect(afterTwo.last_error_code).toBeNull();
  });

  it('events older than 24 h (by the injected clock) drop out of the count; last_used_at stays', async () => {
    const old = new Date(server.clock.nowMs() - 24 * 3600 * 1000 - 1000);
    await server.proofgate.database.query(
      "insert into integration_usage_events (integration, action, status, trace_id, created_at) values ('twilio', 'sms.test', 'success', 'old-trace-1', $1)",
      [old],
    );
    const before = await twilioStatus();
    expect(before.proof_of_use_count_24h).toBeGreaterThan(0);
    server.clock.advanceSeconds(24 * 3600 + 1);
    const later = await twilioStatus();
    expect(later.proof_of_use_count_24h).toBe(0);
    expect(later.last_used_at).toBe(before.last_used_at);
    expect((await sendSms()).status).toBe(200);
    expect((await twilioStatus()).proof_of_use_count_24h).toBe(1);
  });

  it('admin only: 403 FORBIDDEN for a user, 401 anonymous', async () => {
    const user = await registerAndLogin(server);
    expect((await user.client.get('/api/integrations/status')).body.error_code).toBe('FORBIDDEN');
    expect((await server.client().get('/api/integrations/status')).body.error_code).toBe('UNAUTHENTICATED');
  });
});

describe('other configurations', () => {
  it('wrong credentials: configured but not connected, last_error_code 20003 — even over a cached good check on the same database', async () => {
    const env = twilioEnv(fake, { TWILIO_AUTH_TOKEN: 'rotated-away-token' });
    const wrong = await startTestServer({ env, database: server.database });
    try {
      // Same database, same moment: the good check of the first server is fresh, but was made with other credentials.
      wrong.clock.advanceMs(server.clock.nowMs() - wrong.clock.nowMs());
      const user = await registerAndLogin(wrong);
      await wrong.proofgate.database.query("update users set role = 'admin' where id = $1", [user.userId]);
      const status = await twilioStatus(user.client);
      expect(status).toMatchObject({ configured: true, connected: false, last_error_code: '20003' });
    } finally {
      await wrong.close();
    }
  });

  it('not configured: configured and connected false, no call to Twilio', async () => {
    const { server: bare, admin: bareAdmin } = await startServerWithAdmin();
    try {
      const before = fake.requests().length;
      expect(await twilioStatus(bareAdmin)).toEqual({
        name: 'twilio',
        configured: false,
        connected: false,
        last_checked_at: null,
        last_used_at: null,
        proof_of_use_count_24h: 0,
        last_error_code: null,
      });
      expect(fake.requests().length).toBe(before);
    } finally {
      await bare.close();
    }
  });
});
