import type { StatusCheck, StatusCheckResult } from '../system/status';
import type { SmtpIntegration } from './integration';

const CONFIGURE_SMTP = 'Set SMTP_URL (smtps://user:password@relay:465 or smtp://…:587 with STARTTLS) and MAIL_FROM, then restart; see docs/operations.md';

/**
 * Email's place in System status: degraded, never blocked: sign-in works without it, but
 * security notices and password reset mails are not sent.
 */
export function smtpStatusCheck(deps: {
  smtp: SmtpIntegration;
  outboxCounts: () => Promise<{ pending: number; failed: number }>;
  publicUrl: string | undefined;
  timeoutMs: number;
}): StatusCheck {
  const notConnected = {
    code: 'SMTP_NOT_CONNECTED',
    severity: 'degraded' as const,
    message: 'The SMTP relay did not answer the connection check in time: notices and reset mails may not be delivered',
    fix: 'Check network access to the SMTP_URL host, then GET /api/system/status?refresh=1',
  };
  return {
    name: 'smtp',
    timeoutMs: deps.timeoutMs + 5_000,
    onFailure: notConnected,
    async run({ refresh }): Promise<StatusCheckResult> {
      const status = await deps.smtp.status({ refresh });
      if (!status.configured) {
        return {
          ok: false,
          detail: 'not configured',
          blockers: [{ code: 'SMTP_NOT_CONFIGURED', severity: 'degraded', message: `Email is off (no security notices, no password reset mails): ${status.problems.join('; ')}`, fix: CONFIGURE_SMTP }],
        };
      }
      if (!status.connected) {
        const code = status.lastErrorCode;
        return {
          ok: false,
          detail: `connection check failed${code ? ` (${code})` : ''}`,
          blockers: [
            {
              ...notConnected,
              message: `The SMTP connection check failed${code ? ` with ${code}` : ''}${code === 'EAUTH' ? ' (authentication: wrong user or password in SMTP_URL)' : ''}: notices and reset mails cannot be sent`,
              fix: 'Correct SMTP_URL and restart, or fix network access to the relay; GET /api/system/status?refresh=1 re-checks',
            },
          ],
        };
      }
      const blockers = [];
      if (!deps.publicUrl) {
        blockers.push({
          code: 'PASSWORD_RESET_NO_PUBLIC_URL',
          severity: 'degraded' as const,
          message: 'Password reset mails are not sent: a reset link needs PUBLIC_URL (it is never built from the request Host header)',
          fix: 'Set PUBLIC_URL to the address users open (e.g. https://auth.example.com), then restart',
        });
      }
      const counts = await deps.outboxCounts();
      if (counts.failed > 0) {
        blockers.push({
          code: 'SMTP_DELIVERY_FAILED',
          severity: 'degraded' as const,
          message: `${counts.failed} email(s) could not be delivered after every retry${status.lastErrorCode ? ` (last error ${status.lastErrorCode})` : ''}`,
          fix: 'See the smtp usage events (GET /api/integrations/status, server log "mail delivery failed" with its trace_id) and fix the relay or sender settings',
        });
      }
      const detail = `connected (checked ${status.lastCheckedAt?.toISOString() ?? 'now'}); ${counts.pending} queued, ${counts.failed} given up`;
      return { ok: blockers.length === 0, detail, blockers };
    },
  };
}
