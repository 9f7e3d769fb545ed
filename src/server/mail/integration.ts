import type { Logger } from 'pino';
import type { IntegrationStatus } from '../integrations/service';
import type { IntegrationCheckRow, IntegrationStore } from '../integrations/store';
import type { Clock } from '../lib/clock';
import type { MailTransport } from './transport';

const DAY_MS = 24 * 3600 * 1000;

export interface SmtpIntegration {
  status(options: { refresh: boolean }): Promise<IntegrationStatus>;
}

/**
 * SMTP in the integrations control plane, like Twilio: configured (SMTP_URL and MAIL_FROM set),
 * connected (the cached credential check: connect, STARTTLS/TLS and AUTH, no message sent) and
 * proof of use (sent mails, from the usage events the outbox records).
 */
export function createSmtpIntegration(deps: {
  store: Pick<IntegrationStore, 'getCheck' | 'saveCheck' | 'summarizeUsage'>;
  transport: MailTransport | undefined;
  credentialFingerprint: string | undefined;
  problems: string[];
  clock: Clock;
  logger: Logger;
  checkIntervalSeconds: number;
}): SmtpIntegration {
  const { store, transport, clock } = deps;
  let inFlight: Promise<IntegrationCheckRow> | undefined;

  function runCheck(sender: MailTransport): Promise<IntegrationCheckRow> {
    inFlight ??= (async () => {
      const result = await sender.verify();
      const row: IntegrationCheckRow = {
        integration: 'smtp',
        checkedAt: new Date(clock.nowMs()),
        ok: result.ok ? 1 : 0,
        errorCode: result.ok ? null : result.errorCode,
        credentialFingerprint: deps.credentialFingerprint ?? null,
      };
      await store.saveCheck(row);
      if (!result.ok) deps.logger.warn({ integration: 'smtp', error_code: row.errorCode }, 'integration credential check failed');
      return row;
    })().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  }

  async function currentCheck(refresh: boolean): Promise<IntegrationCheckRow | undefined> {
    if (!transport) return undefined;
    const cached = await store.getCheck('smtp');
    const ageMs = cached ? clock.nowMs() - cached.checkedAt.getTime() : Number.POSITIVE_INFINITY;
    const usable = cached && cached.credentialFingerprint === deps.credentialFingerprint && ageMs >= 0 && ageMs < deps.checkIntervalSeconds * 1000;
    return usable && !refresh ? cached : runCheck(transport);
  }

  return {
    async status({ refresh }) {
      const check = await currentCheck(refresh);
      const usage = await store.summarizeUsage('smtp', new Date(clock.nowMs() - DAY_MS));
      const eventError = usage.latest?.status === 'failed' ? usage.latest.providerErrorCode : null;
      const checkError = check && check.ok !== 1 ? (check.errorCode ?? 'CHECK_FAILED') : null;
      return {
        name: 'smtp',
        configured: transport !== undefined,
        connected: check?.ok === 1,
        lastCheckedAt: check?.checkedAt ?? null,
        lastUsedAt: usage.lastSuccessAt,
        proofOfUseCount24h: usage.successCountSince,
        lastErrorCode: checkError ?? eventError,
        problems: deps.problems,
      };
    },
  };
}
