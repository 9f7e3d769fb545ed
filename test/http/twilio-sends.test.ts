import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TwilioFake } from '../../tools/twilio-fake';
import type { HttpClient } from '../support/http-client';
import { freePort } from '../support/processes';
import { registerAndLogin, type TestServer } from '../support/test-server';
import { startFake, startServerWithAdmin, twilioEnv } from '../support/twilio';

/** GET /api/integrations/twilio/sends: OpsAlerts' list of recent test sends, with delivery reports. */
let fake: TwilioFake;
let server: TestServer;
let admin: HttpClient;

beforeAll(async () => {
  fake = await startFake();
  const port = await freePort();
  ({ server, admin } = await startServerWithAdmin({ port, env: twilioEnv(fake, { PUBLIC_URL: `http://127.0.0.1:${port}` }) }));
});
afterAll(async () => {
  await server?.close();
  await fake?.close();
});

describe('recent test sends', () => {
  it('lists sends newest first with time, masked number, outcome, trace id and error code; never the number', async () => {
    const sent = await admin.post('/api/alerts/sms/test', { to: '+14155550123' });
    expect(sent.status).toBe(200);
    server.clock.advanceSeconds(5);
    const rejected = await admin.post('/api/alerts/sms/test', { to: '+15005550001' });
    expect(rejected.status).toBe(502);

    const list = await admin.get('/api/integrations/twilio/sends?limit=2');
    expect(list.status).toBe(200);
    const [newest, older] = list.body.sends;
    expect(list.body.sends).toHaveLength(2);
    expect(newest).toMatchObject({ trace_id: rejected.body.trace_id, status: 'failed', provider_error_code: '21211', delivery_status: null });
    expect(older).toMatchObject({ trace_id: sent.body.trace_id, status: 'success', provider_error_code: null });
    expect(older.masked_destination).toMatch(/^\+1\*+0123$/);
    expect(new Date(newest.created_at).getTime()).toBe(server.clock.nowMs());
    expect(list.text).not.toContain('4155550123');
  });

  it('shows the delivery status as Twilio\'s signed status callback reports it', async () => {
    const sent = await admin.post('/api/alerts/sms/test', { to: '+14155550124' });
    const sid = sent.body.provider_message_id as string;
    const before = await admin.get('/api/integrations/twilio/sends?limit=1');
    expect(before.body.sends[0]).toMatchObject({ trace_id: sent.body.trace_id, delivery_status: null, delivery_updated_at: null });
    server.clock.advanceSeconds(7);
    expect((await fake.deliver(sid, 'delivered')).statusCode).toBe(204);
    const after = await admin.get('/api/integrations/twilio/sends?limit=1');
    expect(after.body.sends[0]).toMatchObject({ trace_id: sent.body.trace_id, delivery_status: 'delivered' });
    expect(new Date(after.body.sends[0].delivery_updated_at).getTime()).toBe(server.clock.nowMs());
  });

  it('refuses a bad limit with VALIDATION_FAILED and anyone but an admin with 403', async () => {
    const bad = await admin.get('/api/integrations/twilio/sends?limit=500');
    expect(bad.status).toBe(400);
    expect(bad.body.error_code).toBe('VALIDATION_FAILED');
    const { client } = await registerAndLogin(server);
    const refused = await client.get('/api/integrations/twilio/sends');
    expect(refused.status).toBe(403);
    expect(refused.body.error_code).toBe('FORBIDDEN');
  });
});
