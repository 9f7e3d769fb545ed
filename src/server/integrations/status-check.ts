import type { SmsConfig } from '../config';
import type { StatusCheck } from '../system/status';
import type { IntegrationsService } from './service';

const CONFIGURE_TWILIO =
  'Set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN (or TWILIO_API_KEY_SID + TWILIO_API_KEY_SECRET) and TWILIO_FROM_NUMBER (or TWILIO_MESSAGING_SERVICE_SID), then restart; see docs/sms.md';

/**
 * Twilio's place in system status: degraded, not blocked, when SMS alerts are unavailable:
 * sign-in and 2FA do not depend on them. Uses the cached credential check.
 */
export function twilioStatusCheck(integrations: IntegrationsService, providerTimeoutMs: number, sms: SmsConfig): StatusCheck {
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
      // Connected but allowed to text no one (a Messaging Service without SMS_ALLOWED_COUNTRIES):
      // every send would be refused, which the operator should learn here rather than from a 422.
      if (sms.allowedCountries.length === 0) {
        return {
          ok: false,
          detail: 'connected, but the SMS geo permissions allow no country',
          blockers: [
            {
              code: 'SMS_NO_ALLOWED_COUNTRY',
              severity: 'degraded',
              message: 'SMS alerts cannot be sent: no destination country is allowed (no TWILIO_FROM_NUMBER to take the default from)',
              fix: 'Set SMS_ALLOWED_COUNTRIES to the ISO 3166-1 alpha-2 codes alerts may go to (e.g. US,CA), then restart; see docs/sms.md',
            },
          ],
        };
      }
      return { ok: true, detail: `connected (checked ${status.lastCheckedAt?.toISOString() ?? 'now'}); SMS allowed to ${sms.allowedCountries.join(', ')}` };
    },
  };
}
