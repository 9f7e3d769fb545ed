import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signTwilioRequest, type TwilioFake } from '../../tools/twilio-fake';
import type { HttpClient } from '../support/http-client';
import { freePort } from '../support/processes';
import type { TestServer } from '../support/test-server';
import { FAKE_ACCOUNT_SID, FAKE_API_KEY, FAKE_AUTH_TOKEN, startFake, startServerWithAdmin, twilioEnv, usageRowByTrace } from '../support/twilio';

const PATH = '/api/integrations/twilio/status-callback';

let fake: TwilioFake;
let server: TestServer;
let admin: HttpClient;
let publicUrl: string;

beforeAll(async () => {
  fake = await startFake();
  const port = await freePort();
  publicUrl = `http://127.0.0.1:${port}`;
  ({ server, admin } = await startServerWithAdmin({ port, env: twilioEnv(fake, { PUBLIC_URL: publicUrl }) }));
});
afterAll(async () => {
  await server?.close();
  await fake?.close();
});

async function sendOne() {
  const response = await admin.post('/api/alerts/sms/test', { to: '+14155550123' });
  expect(response.status).toBe(200);
  return { traceId: response.body.trace_id as string, sid: response.body.provider_message_id as string };
}

function postCallback(params: Record<string, string>, signature: string | undefined, target = server) {
  return target.client().request('POST', PATH, {
    raw: new URLSearchParams(params).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(signature === undefined ? {} : { 'x-twilio-signature': signature }) },
  });
}

function callbackParams(sid: string, status: string): Record<string, string> {
  return { AccountSid: FAKE_ACCOUNT_SID, ApiVersion: '2010-04-01', MessageSid: sid, MessageStatus: status, SmsSid: sid, SmsStatus: status, To: '+14155550123', From: '+15005550006' };
}

describe('Twilio status callback', () => {
  it('the send asks Twilio to call PUBLIC_URL + the callback path; the fake\'s signed delivery report is recorded', async () => {
    const { traceId, sid } = await sendOne();
    expect(fake.received().at(-1)!.params.StatusCallback).toBe(`${publicUrl}${PATH}`);
    server.clock.advanceSeconds(42);
    const delivery = await fake.deliver(sid, 'delivered');
    expect(delivery).toEqual({ callbackUrl: `${publicUrl}${PATH}`, statusCode: 204 });
    const [row] = await usageRowByTrace(server, traceId);
    expect(row!.delivery_status).toBe('delivered');
    expect(new Date(row!.delivery_updated_at!).getTime()).toBe(server.clock.nowMs());
  });

  it('a correctly signed callback is accepted; a tampered one, an unsigned one or one signed with another token → 403 SIGNATURE_INVALID', async () => {
    const { traceId, sid } = await sendOne();
    const params = callbackParams(sid, 'sent');
    const signature = signTwilioRequest(FAKE_AUTH_TOKEN, `${publicUrl}${PATH}`, params);

    const tampered = await postCallback({ ...params, MessageStatus: 'failed' }, signature);
    expect(tampered.status).toBe(403);
    expect(tampered.body.error_code).toBe('SIGNATURE_INVALID');
    expect((await postCallback(params, undefined)).body.error_code).toBe('SIGNATURE_INVALID');
    expect((await postCallback(params, signTwilioRequest('another-token', `${publicUrl}${PATH}`, params))).status).toBe(403);
    // Signed for another URL (a replay against a different deployment).
    expect((await postCallback(params, signTwilioRequest(FAKE_AUTH_TOKEN, `https://elsewhere.example${PATH}`, params))).status).toBe(403);
    expect((await usageRowByTrace(server, traceId))[0]!.delivery_status).toBeNull();

    const accepted = await postCallback(params, signature);
    expect(accepted.status).toBe(204);
    expect((await usageRowByTrace(server, traceId))[0]!.delivery_status).toBe('sent');
  });

  it('a late non-final status never replaces a final one; an unknown MessageSid changes nothing', async () => {
    const { traceId, sid } = await sendOne();
    const sign = (params: Record<string, string>) => signTwilioRequest(FAKE_AUTH_TOKEN, `${publicUrl}${PATH}`, params);
    const delivered = callbackParams(sid, 'delivered');
    expect((await postCallback(delivered, sign(delivered))).status).toBe(204);
    const late = callbackParams(sid, 'sent');
    expect((await postCallback(late, sign(late))).status).toBe(204);
    expect((await usageRowByTrace(server, traceId))[0]!.delivery_status).toBe('delivered');

    const unknown = callbackParams(`SM${'9'.repeat(32)}`, 'delivered');
    expect((await postCallback(unknown, sign(unknown))).status).toBe(204);
  });

  it('a signed but malformed report → 400 VALIDATION_FAILED; logs never hold the callback\'s phone numbers', async () => {
    const params = { MessageSid: 'not-a-sid', MessageStatus: 'teleported' };
    const response = await postCallback(params, signTwilioRequest(FAKE_AUTH_TOKEN, `${publicUrl}${PATH}`, params));
    expect(response.status).toBe(400);
    expect(response.body.error_code).toBe('VALIDATION_FAILED');
    const logs = server.logs.join('\n');
    expect(logs).not.toContain('4155550123');
    expect(logs).not.toContain(FAKE_AUTH_TOKEN);
  });

  it('without an auth token (API key only) no callback is requested and every callback is refused', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const env = twilioEnv(fake, { PUBLIC_URL: url, TWILIO_AUTH_TOKEN: undefined, TWILIO_API_KEY_SID: FAKE_API_KEY.sid, TWILIO_API_KEY_SECRET: FAKE_API_KEY.secret });
    const { server: keyed, admin: keyedAdmin } = await startServerWithAdmin({ port, env });
    try {
      const sent = await keyedAdmin.post('/api/alerts/sms/test', { to: '+14155550123' });
      expect(sent.status).toBe(200);
      expect(fake.received().at(-1)!.params.StatusCallback).toBeUndefined();
      const params = callbackParams(sent.body.provider_message_id, 'delivered');
      const refused = await postCallback(params, signTwilioRequest(FAKE_AUTH_TOKEN, `${url}${PATH}`, params), keyed);
      expect(refused.status).toBe(403);
      expect(refused.body.error_code).toBe('SIGNATURE_INVALID');
    } finally {
      await keyed.close();
    }
  });
});
