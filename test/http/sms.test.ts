import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TwilioFake } from '../../tools/twilio-fake';
import type { HttpClient } from '../support/http-client';
import { registerAndLogin, type TestServer } from '../support/test-server';
import { FAKE_API_KEY, FAKE_AUTH_TOKEN, FAKE_MESSAGING_SERVICE_SID, messagingServiceEnv, startFake, startServerWithAdmin, twilioEnv, usageRowByTrace, usageRows } from '../support/twilio';

const DESTINATION = '+14155550123';
const MASKED = '+1*******0123';
const CANARY_NOTE = 'canary sms note 4b1d77 do not log';

let fake: TwilioFake;
let server: TestServer;
let admin: HttpClient;
let adminUserId: string;

beforeAll(async () => {
  fake = await startFake();
  ({ server, admin, adminUserId } = await startServerWithAdmin({ env: twilioEnv(fake, { TWILIO_TIMEOUT_MS: '300' }) }));
});
afterAll(async () => {
  await server?.close();
  await fake?.close();
});
afterEach(() => {
  fake.setFault(null);
});

function expectSmsProblem(response: { status: number; headers: Headers; body: any }, status: number, code: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toContain('application/problem+json');
  expect(response.body.error_code).toBe(code);
  expect(response.body.trace_id).toMatch(/^[0-9a-f]{32}$/);
  expect(JSON.stringify(response.body)).not.toMatch(/at .*\.ts:\d+|node_modules|Error:/);
}

function logLinesFor(traceId: string) {
  return server.logs.filter((line) => line.includes(traceId)).map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('POST /api/alerts/sms/test', () => {
  it('sends through the real SDK to the fake: 200, one success row, the same trace_id in answer, row and log line', async () => {
    const response = await admin.post('/api/alerts/sms/test', { to: DESTINATION, note: CANARY_NOTE });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      ok: true,
      trace_id: expect.stringMatching(/^[0-9a-f]{32}$/),
      provider_message_id: expect.stringMatching(/^SM[0-9a-f]{32}$/),
      status: 'queued',
    });
    const traceId = response.body.trace_id as string;

    const rows = await usageRowByTrace(server, traceId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      integration: 'twilio',
      action: 'sms.test',
      status: 'success',
      trace_id: traceId,
      provider_reference: response.body.provider_message_id,
      provider_error_code: null,
      actor_user_id: adminUserId,
      masked_destination: MASKED,
    });
    expect(rows[0]!.latency_ms).toBeGreaterThanOrEqual(0);
    expect(new Date(rows[0]!.created_at).getTime()).toBe(server.clock.nowMs());

    const sendLine = logLinesFor(traceId).find((line) => line.event === 'sms.test');
    expect(sendLine).toMatchObject({ trace_id: traceId, status: 'success', provider_reference: response.body.provider_message_id, destination: MASKED, recorded: true });
    expect(sendLine!.request_id).toBe(response.headers.get('x-request-id'));

    const sent = fake.received().at(-1)!;
    expect(sent.params).toMatchObject({
      To: DESTINATION,
      From: '+15005550006',
      Body: `Proofgate test alert: SMS delivery works (trace ${traceId}). Note: ${CANARY_NOTE}`,
    });
    expect(sent.params.StatusCallback).toBeUndefined();
  });

  it('without a note, sends the fixed text that names the trace', async () => {
    const response = await admin.post('/api/alerts/sms/test', { to: DESTINATION });
    expect(response.status).toBe(200);
    expect(fake.received().at(-1)!.params.Body).toBe(`Proofgate test alert: SMS delivery works (trace ${response.body.trace_id})`);
  });

  it('a magic rejected number → 502 SMS_PROVIDER_REJECTED with Twilio\'s code, one failed row', async () => {
    const response = await admin.post('/api/alerts/sms/test', { to: '+15005550001' });
    expectSmsProblem(response, 502, 'SMS_PROVIDER_REJECTED');
    expect(response.body.provider_error_code).toBe('21211');
    expect(response.body.detail).not.toContain('+15005550001');
    const rows = await usageRowByTrace(server, response.body.trace_id);
    expect(rows).toEqual([
      expect.objectContaining({ status: 'failed', provider_error_code: '21211', provider_reference: null, masked_destination: '+1*******0001' }),
    ]);
  });

  it('a timeout (fake slower than TWILIO_TIMEOUT_MS) → 503 SMS_PROVIDER_UNAVAILABLE, one failed TIMEOUT row', async () => {
    fake.setFault({ kind: 'delay', ms: 1_500, times: 1 });
    const started = Date.now();
    const response = await admin.post('/api/alerts/sms/test', { to: DESTINATION });
    expect(Date.now() - started).toBeLessThan(1_400);
    expectSmsProblem(response, 503, 'SMS_PROVIDER_UNAVAILABLE');
    expect(response.body.provider_error_code).toBe('TIMEOUT');
    expect(response.body.detail).toMatch(/may still have been sent/);
    expect(await usageRowByTrace(server, response.body.trace_id)).toEqual([expect.objectContaining({ status: 'failed', provider_error_code: 'TIMEOUT' })]);
  });

  it('a provider 500 → 503 SMS_PROVIDER_UNAVAILABLE, one failed row with Twilio\'s 20500', async () => {
    fake.setFault({ kind: 'status', status: 500 });
    const response = await admin.post('/api/alerts/sms/test', { to: DESTINATION });
    expectSmsProblem(response, 503, 'SMS_PROVIDER_UNAVAILABLE');
    expect(response.body.provider_error_code).toBe('20500');
    expect(await usageRowByTrace(server, response.body.trace_id)).toEqual([expect.objectContaining({ status: 'failed', provider_error_code: '20500' })]);
  });

  it('a connection reset → 503 SMS_PROVIDER_UNAVAILABLE, one failed CONNECTION_ERROR row', async () => {
    fake.setFault({ kind: 'reset' });
    const response = await admin.post('/api/alerts/sms/test', { to: DESTINATION });
    expectSmsProblem(response, 503, 'SMS_PROVIDER_UNAVAILABLE');
    expect(response.body.provider_error_code).toBe('CONNECTION_ERROR');
    expect(await usageRowByTrace(server, response.body.trace_id)).toHaveLength(1);
  });

  it('non-admin → 403 FORBIDDEN, anonymous → 401, bad input → 400; none writes a row', async () => {
    const before = (await usageRows(server)).length;
    const user = await registerAndLogin(server);
    const forbidden = await user.client.post('/api/alerts/sms/test', { to: DESTINATION });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error_code).toBe('FORBIDDEN');
    expect((await server.client().post('/api/alerts/sms/test', { to: DESTINATION })).body.error_code).toBe('UNAUTHENTICATED');
    const invalidBodies = [
      { to: '4155550123' },
      { to: '+0123456789' },
      { to: '+1 415 555 0123' },
      { to: `+1${'4'.repeat(40)}` },
      { to: 14155550123 },
      { to: DESTINATION, note: 'x'.repeat(161) },
      { to: DESTINATION, note: '' },
      { to: DESTINATION, note: 'two\nlines' },
      // The free-text body this route used to take is refused, not silently dropped.
      { to: DESTINATION, message: 'hello' },
      { to: DESTINATION, extra: 1 },
      {},
    ];
    for (const body of invalidBodies) {
      const invalid = await admin.post('/api/alerts/sms/test', body);
      expect(invalid.status).toBe(400);
      expect(invalid.body.error_code).toBe('VALIDATION_FAILED');
      expect(invalid.text).not.toContain('4155550123');
    }
    expect((await usageRows(server)).length).toBe(before);
  });
});

describe('other configurations', () => {
  it('wrong credentials → 502 SMS_PROVIDER_REJECTED with 20003, one failed row', async () => {
    const { server: wrong, admin: wrongAdmin } = await startServerWithAdmin({ env: twilioEnv(fake, { TWILIO_AUTH_TOKEN: 'not-the-right-token' }) });
    try {
      const response = await wrongAdmin.post('/api/alerts/sms/test', { to: DESTINATION });
      expectSmsProblem(response, 502, 'SMS_PROVIDER_REJECTED');
      expect(response.body.provider_error_code).toBe('20003');
      expect(await usageRowByTrace(wrong, response.body.trace_id)).toEqual([expect.objectContaining({ status: 'failed', provider_error_code: '20003' })]);
    } finally {
      await wrong.close();
    }
  });

  it('API key credentials with a Messaging Service send as well', async () => {
    const env = messagingServiceEnv(fake, { SMS_ALLOWED_COUNTRIES: 'US' });
    const { server: keyed, admin: keyedAdmin } = await startServerWithAdmin({ env });
    try {
      const response = await keyedAdmin.post('/api/alerts/sms/test', { to: DESTINATION });
      expect(response.status).toBe(200);
      expect(fake.received().at(-1)).toMatchObject({ authUser: FAKE_API_KEY.sid, params: { MessagingServiceSid: FAKE_MESSAGING_SERVICE_SID } });
    } finally {
      await keyed.close();
    }
  });

  it('not configured → 503 SMS_NOT_CONFIGURED with trace_id and one not_configured row; caps per admin and per IP → 429', async () => {
    const { server: bare, admin: bareAdmin, adminUserId: bareAdminId } = await startServerWithAdmin({
      env: { SMS_TEST_ADMIN_MAX_PER_HOUR: '2', SMS_TEST_IP_MAX_PER_HOUR: '4' },
    });
    try {
      const first = await bareAdmin.post('/api/alerts/sms/test', { to: DESTINATION });
      expectSmsProblem(first, 503, 'SMS_NOT_CONFIGURED');
      expect(await usageRowByTrace(bare, first.body.trace_id)).toEqual([
        expect.objectContaining({ status: 'not_configured', provider_reference: null, latency_ms: null, actor_user_id: bareAdminId, masked_destination: MASKED }),
      ]);
      expect((await bareAdmin.post('/api/alerts/sms/test', { to: DESTINATION })).status).toBe(503);
      const capped = await bareAdmin.post('/api/alerts/sms/test', { to: DESTINATION });
      expect(capped.status).toBe(429);
      expect(capped.body.error_code).toBe('RATE_LIMITED');
      expect(capped.body.retry_after).toBeGreaterThan(0);
      expect(capped.headers.get('retry-after')).toBe(String(capped.body.retry_after));

      // A second admin from the same IP: refused attempts count too, so the IP cap (4) is reached after one more attempt.
      const other = await registerAndLogin(bare);
      await bare.proofgate.database.query("update users set role = 'admin' where id = $1", [other.userId]);
      expect((await other.client.post('/api/alerts/sms/test', { to: DESTINATION })).status).toBe(503);
      const ipCapped = await other.client.post('/api/alerts/sms/test', { to: DESTINATION });
      expect(ipCapped.status).toBe(429);
      expect((await usageRows(bare)).map((r) => r.status)).toEqual(['not_configured', 'not_configured', 'not_configured']);
    } finally {
      await bare.close();
    }
  });
});

describe('what is never written down', () => {
  it('no full phone number, auth token, API secret or message body in logs or security_events', async () => {
    const events = await server.proofgate.database.query<Record<string, unknown>>('select * from security_events');
    const smsEvents = events.filter((e) => e.type === 'alerts.sms_test');
    expect(smsEvents.length).toBeGreaterThan(0);
    expect(smsEvents[0]!.details).toEqual({ trace_id: expect.any(String), status: expect.any(String) });
    const rows = await usageRows(server);
    const haystacks = { logs: server.logs.join('\n'), security_events: JSON.stringify(events), usage_events: JSON.stringify(rows) };
    for (const [where, text] of Object.entries(haystacks)) {
      for (const needle of [DESTINATION, '4155550123', '+15005550001', FAKE_AUTH_TOKEN, FAKE_API_KEY.secret, CANARY_NOTE]) {
        expect(text.includes(needle), `${needle} found in ${where}`).toBe(false);
      }
    }
  });
});
