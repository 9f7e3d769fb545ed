import type { TwilioFake } from '../../twilio-fake';
import { jsonObject } from '../checks/http';
import type { ProofServer } from '../servers';
import { FlowStop, get, post, type FlowContext, type ProofUser } from './context';

/** B4 and B5: the admin's view: test SMS, usage trail, integrations and system status. */

/** On the server without Twilio keys or APP_ENC_KEY: what is missing shows as blockers. */
export async function runBareStatus(ctx: FlowContext, server: ProofServer, admin: ProofUser): Promise<void> {
  const controlPlane = ctx.evidence.controlPlane;
  // The admin registered and was granted the role by the operator's CLI in the ADMIN item.
  controlPlane.adminLoginBare = await ctx.recorder.http('b5-02-login-admin', 'Sign in as the admin (granted by npm run cli -- user:grant-admin)', post(server, '/api/auth/login', admin.jar, { email: admin.email, password: admin.password }));
  if (controlPlane.adminLoginBare.status !== 200) throw new FlowStop(`admin login answered ${controlPlane.adminLoginBare.status}`);
  controlPlane.notConfigured = await ctx.recorder.http('b5-03-integrations-no-keys', 'Integrations status with no Twilio keys', get(server, '/api/integrations/status', admin.jar));
  controlPlane.blockersPresent = await ctx.recorder.http('b5-04-system-status-blockers', 'System status with no Twilio keys and no APP_ENC_KEY', get(server, '/api/system/status', admin.jar));
}

export async function runSmsAndUsage(
  ctx: FlowContext,
  server: ProofServer,
  admin: ProofUser,
  options: { destination: string | undefined; fake: TwilioFake | undefined },
): Promise<void> {
  const { testSms, controlPlane } = ctx.evidence;
  testSms.adminLogin = await ctx.recorder.http('b4-01-login-admin', 'Sign in as the admin on the server with keys', post(server, '/api/auth/login', admin.jar, { email: admin.email, password: admin.password }));
  if (testSms.adminLogin.status !== 200) throw new FlowStop(`admin login answered ${testSms.adminLogin.status}`);
  controlPlane.before = await ctx.recorder.http('b5-05-integrations-before', 'Integrations status before the send', get(server, '/api/integrations/status', admin.jar));
  if (!options.destination) throw new FlowStop('no destination number: set PROOF_SMS_TO to a phone you own to send the test SMS with real Twilio keys');
  options.fake?.clearReceived();
  testSms.destination = options.destination;
  testSms.send = await ctx.recorder.http(
    'b4-02-sms-test',
    'Send one test SMS',
    post(server, '/api/alerts/sms/test', admin.jar, { to: options.destination, note: `Proofgate proof run ${new Date().toISOString()}` }),
  );
  if (options.fake) {
    testSms.providerReceived = options.fake.received().map((r) => ({
      method: r.method,
      path: r.path,
      params: r.params,
      status: r.response.status,
    }));
  }
  const traceId = jsonObject(testSms.send).trace_id;
  testSms.usage = await ctx.recorder.sql(
    server.proofgate.database,
    'b4-03-usage-event',
    'The usage event of this send, selected by the trace_id of the answer',
    `select trace_id, integration, action, status, provider_reference, provider_error_code, masked_destination,
       latency_ms, actor_user_id, created_at
  from integration_usage_events
 where trace_id = $1`,
    [typeof traceId === 'string' ? traceId : ''],
  );
  controlPlane.after = await ctx.recorder.http('b5-06-integrations-after', 'Integrations status after the send', get(server, '/api/integrations/status', admin.jar));

  // After B5's "after" read, so the refusal's error code does not stand in for the send's outcome there.
  // Safe with real keys too: a refused destination never reaches the provider.
  options.fake?.clearReceived();
  testSms.refused = await ctx.recorder.http(
    'b4-04-sms-refused',
    `Send a test SMS to the premium-rate number ${REFUSED_DESTINATION}: refused by the SMS geo permissions`,
    post(server, '/api/alerts/sms/test', admin.jar, { to: REFUSED_DESTINATION }),
  );
  if (options.fake) testSms.providerReceivedDuringRefusal = options.fake.received().map((r) => ({ method: r.method, path: r.path }));
  const refusedTrace = jsonObject(testSms.refused).trace_id;
  testSms.refusedUsage = await ctx.recorder.sql(
    server.proofgate.database,
    'b4-05-refused-usage-event',
    'The usage event of the refused send, selected by the trace_id of its answer',
    `select trace_id, integration, action, status, provider_reference, provider_error_code, masked_destination, latency_ms
  from integration_usage_events
 where trace_id = $1`,
    [typeof refusedTrace === 'string' ? refusedTrace : ''],
  );
}

/** A US premium-rate number (+1 900): refused whatever SMS_ALLOWED_COUNTRIES says, so the proof can show it with real keys. */
export const REFUSED_DESTINATION = '+19005550100';

export async function runFinalStatus(ctx: FlowContext, server: ProofServer, admin: ProofUser): Promise<void> {
  ctx.evidence.controlPlane.blockersRemoved = await ctx.recorder.http(
    'b5-07-system-status-clear',
    'System status with Twilio keys and APP_ENC_KEY set',
    get(server, '/api/system/status', admin.jar),
  );
}
