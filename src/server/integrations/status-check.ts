import type { StatusCheck } from '../system/status';
import type { IntegrationsService } from './service';

const CONFIGURE_TWILIO =
  'Set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN (or TWILIO_API_KEY_SID + TWILIO_API_KEY_SECRET) and TWILIO_FROM_NUMBER (or TWILIO_MESSAGING_SERVICE_SID), then restart; see docs/sms.md';

/**
 * Twilio's place in system status: degraded, not blocked, when SMS alerts are unavailable:
 * sign-in and 2FA do not depend on them. Uses the cached credential check.
 */
export function twilioStatusCheck(integrations: IntegrationsService, providerTimeoutMs: number): StatusCheck {
  const notConnected = {
    code: 'TWILIO_NOT_CONNECTED',
    severity: 'degraded' as const,
    message: 'Twilio did not answer the credential check in time: SMS alerts may not be delivered',
    fix: 'Check network access to api.twilio.com, then GET /api/system/status?refresh=1',
  };
  return {
    name: 'twilio',
    // The SDK's own timeout plus room for its 429 retries.
    timeoutMs: providerTimeoutMs + 5_000,
    onFailure: notConnected,
    async run({ refresh }) {
      const status = await integrations.twilioStatus({ refresh });
      if (!status.configured) {
        return {
          ok: false,
          detail: 'not configured',
          blockers: [
            {
              code: 'TWILIO_NOT_CONFIGURED',
              severity: 'degraded',
              message: `SMS alerts are off: ${status.problems.join('; ')}`,
              fix: CONFIGURE_TWILIO,
            },
          ],
        };
      }
      if (!status.connected) {
        const code = status.lastErrorCode;
        return {
          ok: false,
          detail: `credential check failed${code ? ` (${code})` : ''}`,
          blockers: [
            {
              ...notConnected,
              message: `The Twilio credential check failed${code ? ` with ${code}` : ''}${code === '20003' ? ' (authentication: wrong account SID, token or API key)' : ''}: SMS alerts cannot be sent`,
              fix: 'Correct the TWILIO_* credentials and restart, or fix network access to api.twilio.com; GET /api/system/status?refresh=1 re-checks',
            },
          ],
        };
      }
      return { ok: true, detail: `connected (checked ${status.lastCheckedAt?.toISOString() ?? 'now'})` };
    },
  };
}
