import { Router, type RequestHandler } from 'express';
import { SMS_TEST_NOTE_MAX_CHARS } from '../../common/sms-test-text';
import { mountRoute, type RouteRegistry } from '../http/route';
import { smsTestBody, smsTestView } from './schemas';
import type { SmsAlertService } from './service';

/** /api/alerts: operations alerts. Admin only; the per-admin and per-IP caps live in the service. */
export function createAlertRoutes(deps: { registry: RouteRegistry; requireAdmin: RequestHandler; alerts: SmsAlertService }): Router {
  const router = Router();

  mountRoute(
    router,
    deps.registry,
    {
      method: 'post',
      path: '/api/alerts/sms/test',
      tag: 'alerts',
      summary: 'Send one test SMS through the configured provider (Twilio)',
      description:
        `The text is fixed (it names the trace_id); \`note\` adds at most ${SMS_TEST_NOTE_MAX_CHARS} characters. The destination must pass the SMS geo permissions before the provider is called: a country in SMS_ALLOWED_COUNTRIES (default: the country of TWILIO_FROM_NUMBER) and not a premium-rate, shared-cost, non-geographic (satellite, international network) or invalid number, else 422 SMS_DESTINATION_NOT_ALLOWED with \`reason\`. Every attempt, refused ones included, writes exactly one integration_usage_events row (success, failed or not_configured) with the trace_id this answer carries, success or problem alike. Capped per admin and per IP (SMS_TEST_ADMIN_MAX_PER_HOUR, SMS_TEST_IP_MAX_PER_HOUR).`,
      access: 'admin',
      body: smsTestBody,
      responses: { 200: { description: 'The provider accepted the message', schema: smsTestView } },
      errorCodes: ['SMS_DESTINATION_NOT_ALLOWED', 'SMS_NOT_CONFIGURED', 'SMS_PROVIDER_REJECTED', 'SMS_PROVIDER_UNAVAILABLE', 'RATE_LIMITED', 'SERVICE_UNAVAILABLE'],
    },
    [deps.requireAdmin],
    async ({ req, res, body }) => {
      const result = await deps.alerts.sendTestSms({ to: body.to, note: body.note, actorUserId: req.auth!.user.id }, req.context);
      res.json({ ok: true, trace_id: result.traceId, provider_message_id: result.providerMessageId, status: result.status });
    },
  );

  return router;
}
