import { startTwilioFake, type TwilioFake } from '../../tools/twilio-fake';
import { enableTwoFactor } from './two-factor';
import { grantAdmin, registerAndLogin, startTestServer, STRONG_PASSWORD, uniqueEmail, type TestServer, type TestServerOptions } from './test-server';

/** Credentials of the in-process Twilio fake. The token doubles as a canary: it must never appear in logs or rows. */
export const FAKE_ACCOUNT_SID = `AC${'ab'.repeat(16)}`;
export const FAKE_AUTH_TOKEN = 'canary-twilio-auth-token-5d1e9b07';
export const FAKE_API_KEY = { sid: `SK${'cd'.repeat(16)}`, secret: 'canary-twilio-api-secret-88f2c1' };
export const FAKE_MESSAGING_SERVICE_SID = `MG${'ef'.repeat(16)}`;

export function startFake(): Promise<TwilioFake> {
  return startTwilioFake({ accountSid: FAKE_ACCOUNT_SID, authToken: FAKE_AUTH_TOKEN, apiKeys: [FAKE_API_KEY] });
}

/** TWILIO_* pointing the real SDK at the fake. */
export function twilioEnv(fake: TwilioFake, overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    TWILIO_ACCOUNT_SID: FAKE_ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: FAKE_AUTH_TOKEN,
    TWILIO_FROM_NUMBER: '+15005550006',
    TWILIO_API_BASE_URL: fake.url,
    ...overrides,
  };
}

/** A server with one admin (granted through the CLI command), returned signed in. */
export async function startServerWithAdmin(options: TestServerOptions = {}) {
  const server = await startTestServer(options);
  const admin = await registerAdmin(server);
  return { server, admin: admin.client, adminUserId: admin.userId };
}

/**
 * Registers a user, grants it admin as an operator would (user:grant-admin), signs it in and,
 * unless `twoFactor: false`, enables 2FA as a real admin must (the session is then AAL2), so
 * System status has no ADMIN_WITHOUT_2FA blocker.
 */
export async function registerAdmin(
  server: TestServer,
  email = uniqueEmail('admin'),
  password = STRONG_PASSWORD,
  options: { twoFactor?: boolean } = {},
) {
  // Roles are read on every request, so granting after the sign-in takes effect at once.
  const { client, userId } = await registerAndLogin(server, email, password);
  await grantAdmin(server, email);
  const secret = options.twoFactor === false ? undefined : (await enableTwoFactor(server, client)).secret;
  return { client, email, userId, secret };
}

/** Sends through a Messaging Service with an API key pair: no auth token, no sender number. */
export function messagingServiceEnv(fake: TwilioFake, overrides: Record<string, string | undefined> = {}) {
  return twilioEnv(fake, {
    TWILIO_AUTH_TOKEN: undefined,
    TWILIO_API_KEY_SID: FAKE_API_KEY.sid,
    TWILIO_API_KEY_SECRET: FAKE_API_KEY.secret,
    TWILIO_FROM_NUMBER: undefined,
    TWILIO_MESSAGING_SERVICE_SID: FAKE_MESSAGING_SERVICE_SID,
    ...overrides,
  });
}

export interface UsageRow {
  integration: string;
  action: string;
  status: string;
  trace_id: string;
  provider_reference: string | null;
  provider_error_code: string | null;
  delivery_status: string | null;
  delivery_updated_at: Date | null;
  latency_ms: number | null;
  actor_user_id: string | null;
  masked_destination: string | null;
  created_at: Date;
}

export function usageRows(server: TestServer): Promise<UsageRow[]> {
  return server.proofgate.database.query<UsageRow>('select * from integration_usage_events order by created_at, trace_id');
}

export function usageRowByTrace(server: TestServer, traceId: string): Promise<UsageRow[]> {
  return server.proofgate.database.query<UsageRow>('select * from integration_usage_events where trace_id = $1', [traceId]);
}
