import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A Twilio REST stand-in for the browser tests, after the subset of Twilio's contract in
 * /work/shared/twilio (Messages.json create, Accounts/{Sid}.json fetch): form-encoded requests,
 * HTTP basic auth, 201 Message bodies with SM… sids, errors as {code, message, more_info, status}.
 * Twilio's documented test numbers give deterministic failures (To +15005550001 → 21211, …).
 */
export const FAKE_TWILIO_ACCOUNT_SID = `AC${'0123456789abcdef'.repeat(2)}`;
export const FAKE_TWILIO_AUTH_TOKEN = 'fake-twilio-auth-token-for-tests';
export const FAKE_TWILIO_FROM = '+15005550006';

const failingNumbers: Record<string, { code: number; message: string }> = {
  '+15005550001': { code: 21211, message: "The 'To' number is not a valid phone number." },
  '+15005550002': { code: 21612, message: "The 'To' phone number is not currently reachable via SMS." },
  '+15005550003': { code: 21408, message: 'Permission to send an SMS has not been enabled for the region.' },
  '+15005550004': { code: 21610, message: 'Attempt to send to unsubscribed recipient.' },
  '+15005550009': { code: 21614, message: "'To' number is not a valid mobile number." },
};

export interface FakeTwilio {
  url: string;
  sent: Array<{ to: string; body: string; sid: string }>;
  close(): Promise<void>;
}

function send(res: http.ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function twilioError(res: http.ServerResponse, status: number, code: number, message: string) {
  send(res, status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });
}

export async function startFakeTwilio(): Promise<FakeTwilio> {
  const sent: FakeTwilio['sent'] = [];
  const expectedAuth = `Basic ${Buffer.from(`${FAKE_TWILIO_ACCOUNT_SID}:${FAKE_TWILIO_AUTH_TOKEN}`).toString('base64')}`;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.headers.authorization !== expectedAuth) return twilioError(res, 401, 20003, 'Authenticate');
      const path = (req.url ?? '').split('?')[0] ?? '';
      const now = new Date().toUTCString().replace('GMT', '+0000');
      if (req.method === 'GET' && path === `/2010-04-01/Accounts/${FAKE_TWILIO_ACCOUNT_SID}.json`) {
        return send(res, 200, { sid: FAKE_TWILIO_ACCOUNT_SID, friendly_name: 'Proofgate tests', status: 'active', type: 'Trial', date_created: now });
      }
      if (req.method === 'POST' && path === `/2010-04-01/Accounts/${FAKE_TWILIO_ACCOUNT_SID}/Messages.json`) {
        const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
        const to = form.get('To') ?? '';
        if (!to) return twilioError(res, 400, 21604, "A 'To' phone number is required.");
        const failure = failingNumbers[to];
        if (failure) return twilioError(res, 400, failure.code, failure.message);
        const sid = `SM${randomBytes(16).toString('hex')}`;
        sent.push({ to, body: form.get('Body') ?? '', sid });
        return send(res, 201, {
          sid,
          account_sid: FAKE_TWILIO_ACCOUNT_SID,
          to,
          from: form.get('From'),
          messaging_service_sid: form.get('MessagingServiceSid'),
          body: form.get('Body') ?? '',
          status: 'queued',
          direction: 'outbound-api',
          num_segments: '1',
          api_version: '2010-04-01',
          date_created: now,
          date_updated: now,
          date_sent: null,
          error_code: null,
          error_message: null,
          uri: `/2010-04-01/Accounts/${FAKE_TWILIO_ACCOUNT_SID}/Messages/${sid}.json`,
        });
      }
      return twilioError(res, 404, 20404, 'The requested resource was not found');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    sent,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * How the server is pointed at the fake. These are the variable names the SMS backend is being
 * built with in parallel; when it lands, this is the one place to align if they differ.
 */
export function twilioEnvFor(fake: FakeTwilio): Record<string, string> {
  return {
    TWILIO_ACCOUNT_SID: FAKE_TWILIO_ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: FAKE_TWILIO_AUTH_TOKEN,
    TWILIO_FROM_NUMBER: FAKE_TWILIO_FROM,
    TWILIO_API_BASE_URL: fake.url,
  };
}
