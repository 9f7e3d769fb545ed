import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TwilioFake } from '../../tools/twilio-fake';
import type { HttpClient } from '../support/http-client';
import type { TestServer } from '../support/test-server';
import { messagingServiceEnv, startFake, startServerWithAdmin, twilioEnv, usageRowByTrace, usageRows } from '../support/twilio';

/**
 * Threat: a stolen admin account uses the test SMS for toll fraud (satellite, premium-rate and
 * far-away numbers the attacker is paid for) or phishing from the sender number. Twilio's fake
 * must see none of these requests: the geo permissions run before the provider is called.
 */
const SATELLITE = '+8823900000001';
const PREMIUM_RATE = '+19005550100';
const INTERNATIONAL = '+2347010000000';
const ALLOWED = '+14155550123';

let fake: TwilioFake;
let server: TestServer;
let admin: HttpClient;
let adminUserId: string;

beforeAll(async () => {
  fake = await startFake();
  // The fake's sender is +15005550006: SMS_ALLOWED_COUNTRIES unset means US only.
  ({ server, admin, adminUserId } = await startServerWithAdmin({ env: twilioEnv(fake, { SMS_TEST_ADMIN_MAX_PER_HOUR: '100', SMS_TEST_IP_MAX_PER_HOUR: '100' }) }));
});
afterAll(async () => {
  await server?.close();
  await fake?.close();
});

/** Every request the fake received, of any kind: a refusal must not even check credentials. */
function twilioRequests(): number {
  return fake.received().length;
}

async function expectRefused(client: HttpClient, on: TestServer, to: string, reason: string) {
  const response = await client.post('/api/alerts/sms/test', { to, note: 'call +44 20 7946 0000 now' });
  expect(response.status).toBe(422);
  expect(response.headers.get('content-type')).toContain('application/problem+json');
  expect(response.body).toMatchObject({ error_code: 'SMS_DESTINATION_NOT_ALLOWED', status: 422, reason, trace_id: expect.stringMatching(/^[0-9a-f]{32}$/) });
  expect(response.body.provider_error_code).toBeUndefined();
  expect(response.text).not.toContain(to.slice(1));
  const rows = await usageRowByTrace(on, response.body.trace_id);
  expect(rows).toEqual([
    expect.objectContaining({
      integration: 'twilio',
      action: 'sms.test',
      status: 'failed',
      provider_error_code: 'SMS_DESTINATION_NOT_ALLOWED',
      provider_reference: null,
      latency_ms: null,
      masked_destination: `${to.slice(0, 2)}*******${to.slice(-4)}`,
    }),
  ]);
  return response;
}

describe('SMS geo permissions: POST /api/alerts/sms/test', () => {
  it('toll fraud: a satellite +882, a premium-rate +1 900 and a Nigerian number → 422 SMS_DESTINATION_NOT_ALLOWED, zero requests reach Twilio, each an audited failed row with its trace_id', async () => {
    const postsBefore = twilioRequests();
    const refused = [
      await expectRefused(admin, server, SATELLITE, 'non_geographic'),
      await expectRefused(admin, server, PREMIUM_RATE, 'premium_rate'),
      await expectRefused(admin, server, INTERNATIONAL, 'country_not_allowed'),
    ];
    expect(twilioRequests()).toBe(postsBefore);
    expect(refused[2]!.body.detail).toContain('allowed: US (SMS_ALLOWED_COUNTRIES)');
    for (const response of refused) {
      const line = server.logs.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.event === 'sms.test' && l.trace_id === response.body.trace_id);
      expect(line).toMatchObject({ status: 'failed', provider_error_code: 'SMS_DESTINATION_NOT_ALLOWED', refusal: response.body.reason, actor_user_id: adminUserId });
      expect(line!.request_id).toBe(response.headers.get('x-request-id'));
    }
    const events = await server.proofgate.database.query<{ details: { trace_id: string; status: string } }>(
      "select details from security_events where type = 'alerts.sms_test'",
    );
    for (const response of refused) {
      expect(events.map((e) => e.details)).toContainEqual({ trace_id: response.body.trace_id, status: 'failed', reason: response.body.reason });
    }
  });

  it('an invalid number of an allowed country (+1 555 555 0100) is refused too, not guessed at', async () => {
    const postsBefore = twilioRequests();
    await expectRefused(admin, server, '+15555550100', 'invalid');
    expect(twilioRequests()).toBe(postsBefore);
  });

  it('a number in the sender\'s country is sent, with the fixed text and the note', async () => {
    const response = await admin.post('/api/alerts/sms/test', { to: ALLOWED, note: 'geo check' });
    expect(response.status).toBe(200);
    expect(fake.received().at(-1)!.params).toMatchObject({ To: ALLOWED, Body: `Proofgate test alert: SMS delivery works (trace ${response.body.trace_id}). Note: geo check` });
    expect(await usageRowByTrace(server, response.body.trace_id)).toEqual([expect.objectContaining({ status: 'success', provider_error_code: null })]);
  });

  it('a note over 160 characters → 400 VALIDATION_FAILED naming the field, no row, nothing sent', async () => {
    const rowsBefore = (await usageRows(server)).length;
    const postsBefore = twilioRequests();
    const response = await admin.post('/api/alerts/sms/test', { to: ALLOWED, note: 'x'.repeat(161) });
    expect(response.status).toBe(400);
    expect(response.body.error_code).toBe('VALIDATION_FAILED');
    expect(JSON.stringify(response.body)).toContain('note');
    expect(JSON.stringify(response.body)).toContain('160');
    expect((await admin.post('/api/alerts/sms/test', { to: ALLOWED, note: 'x'.repeat(160) })).status).toBe(200);
    expect((await usageRows(server)).length).toBe(rowsBefore + 1);
    expect(twilioRequests()).toBe(postsBefore + 1);
  });

  it('the OpenAPI document shows the note (at most 160 characters), no free-text message, and SMS_DESTINATION_NOT_ALLOWED', async () => {
    const openapi = await server.client().get('/api/openapi.json');
    const operation = openapi.body.paths['/api/alerts/sms/test'].post;
    const schema = operation.requestBody.content['application/json'].schema;
    expect(Object.keys(schema.properties).sort()).toEqual(['note', 'to']);
    expect(schema.properties.note).toMatchObject({ type: 'string', maxLength: 160 });
    expect(schema.required).toEqual(['to']);
    expect(operation['x-error-codes']).toContain('SMS_DESTINATION_NOT_ALLOWED');
    expect(operation.responses['422']).toBeDefined();
  });

  it('SMS_ALLOWED_COUNTRIES=US,NG opens Nigeria; premium-rate and satellite numbers stay refused', async () => {
    const { server: opened, admin: openedAdmin } = await startServerWithAdmin({ env: twilioEnv(fake, { SMS_ALLOWED_COUNTRIES: 'US,NG' }) });
    try {
      const sent = await openedAdmin.post('/api/alerts/sms/test', { to: INTERNATIONAL });
      expect(sent.status).toBe(200);
      expect(fake.received().at(-1)!.params.To).toBe(INTERNATIONAL);
      const postsBefore = twilioRequests();
      await expectRefused(openedAdmin, opened, PREMIUM_RATE, 'premium_rate');
      await expectRefused(openedAdmin, opened, SATELLITE, 'non_geographic');
      expect(twilioRequests()).toBe(postsBefore);
    } finally {
      await opened.close();
    }
  });

  it('SMS_ALLOWED_COUNTRIES=GB closes even the sender\'s own country', async () => {
    const { server: closed, admin: closedAdmin } = await startServerWithAdmin({ env: twilioEnv(fake, { SMS_ALLOWED_COUNTRIES: 'GB' }) });
    try {
      const postsBefore = twilioRequests();
      const response = await expectRefused(closedAdmin, closed, ALLOWED, 'country_not_allowed');
      expect(response.body.detail).toContain('allowed: GB');
      expect(twilioRequests()).toBe(postsBefore);
    } finally {
      await closed.close();
    }
  });

  it('a Messaging Service without a sender number and without SMS_ALLOWED_COUNTRIES allows no country, and says which variable to set, in the answer and in system status', async () => {
    const env = messagingServiceEnv(fake);
    const { server: pooled, admin: pooledAdmin } = await startServerWithAdmin({ env });
    try {
      const postsBefore = twilioRequests();
      const response = await expectRefused(pooledAdmin, pooled, ALLOWED, 'country_not_allowed');
      expect(response.body.detail).toContain('SMS_ALLOWED_COUNTRIES');
      expect(twilioRequests()).toBe(postsBefore);
      const status = await pooledAdmin.get('/api/system/status?refresh=1');
      expect(status.body.blockers).toContainEqual(
        expect.objectContaining({ code: 'SMS_NO_ALLOWED_COUNTRY', severity: 'degraded', fix: expect.stringContaining('SMS_ALLOWED_COUNTRIES') }),
      );
    } finally {
      await pooled.close();
    }
  });
});
