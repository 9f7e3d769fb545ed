import type { Logger } from 'pino';
import type { NewUsageEvent } from '../integrations/store';
import type { Clock } from '../lib/clock';
import type { RandomBytes } from '../lib/random';
import { decryptSecret, type KeyRing, type SecretContext } from '../lib/secret-box';
import type { ClaimedMail, OutboxStore } from './outbox-store';
import type { MailTransport, RenderedMail } from './transport';

/** After this many failed attempts (about an hour of doubling backoff) a message is given up and shown as failed. */
export const MAX_ATTEMPTS = 8;
const FIRST_RETRY_SECONDS = 30;
const MAX_RETRY_SECONDS = 3600;

export function retryDelaySeconds(failedAttempts: number): number {
  return Math.min(FIRST_RETRY_SECONDS * 2 ** Math.max(0, failedAttempts - 1), MAX_RETRY_SECONDS);
}

/** "v***@example.test": enough for an operator to tell messages apart, not to collect addresses. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  return at <= 0 ? '***' : `${email[0]}***${email.slice(at)}`;
}

/**
 * One attempt at one claimed message: decrypt, send, then mark it sent, due again after the
 * backoff, or given up, and record the attempt as an smtp usage event with its own trace_id.
 */
export function createDelivery(deps: {
  store: OutboxStore;
  recordUsage: (event: NewUsageEvent) => Promise<void>;
  keys: KeyRing;
  clock: Clock;
  randomBytes: RandomBytes;
  logger: Logger;
  context: (userId: string, kind: string) => SecretContext;
}): (mail: ClaimedMail, sender: MailTransport) => Promise<void> {
  const { store, clock, logger } = deps;

  async function recordUsage(mail: ClaimedMail, traceId: string, outcome: { status: 'success' | 'failed'; reference: string | null; errorCode: string | null; latencyMs: number }) {
    await deps
      .recordUsage({
        integration: 'smtp',
        action: `mail.${mail.kind}`,
        status: outcome.status,
        traceId,
        providerReference: outcome.reference,
        providerErrorCode: outcome.errorCode,
        latencyMs: outcome.latencyMs,
        actorUserId: mail.userId,
        maskedDestination: maskEmail(mail.to),
        createdAt: new Date(clock.nowMs()),
      })
      .catch((error: unknown) => logger.error({ cause_code: (error as { code?: unknown }).code, trace_id: traceId }, 'could not record mail usage'));
  }

  return async function deliver(mail: ClaimedMail, sender: MailTransport): Promise<void> {
    const traceId = deps.randomBytes(16).toString('hex');
    let rendered: RenderedMail;
    try {
      rendered = JSON.parse(decryptSecret(deps.keys, mail.payload, deps.context(mail.userId, mail.kind)).toString('utf8')) as RenderedMail;
    } catch {
      // Sealed with a key that is no longer configured: it can never be sent.
      logger.error({ integration: 'smtp', kind: mail.kind, trace_id: traceId }, 'queued mail cannot be decrypted; giving up');
      await store.markFailed(mail.id, 'UNREADABLE', traceId);
      return;
    }
    const started = performance.now();
    const result = await sender.send(mail.to, rendered);
    const latencyMs = Math.round(performance.now() - started);
    if (result.ok) {
      await store.markSent(mail.id, new Date(clock.nowMs()), traceId);
      await recordUsage(mail, traceId, { status: 'success', reference: result.messageId.slice(0, 200) || null, errorCode: null, latencyMs });
      logger.info({ integration: 'smtp', kind: mail.kind, trace_id: traceId }, 'mail sent');
      return;
    }
    const attempts = mail.attempts + 1;
    const giveUp = result.permanent || attempts >= MAX_ATTEMPTS;
    logger.warn({ integration: 'smtp', kind: mail.kind, attempts, error_code: result.errorCode, trace_id: traceId, given_up: giveUp }, 'mail delivery failed');
    if (giveUp) await store.markFailed(mail.id, result.errorCode, traceId);
    else await store.markRetry(mail.id, new Date(clock.nowMs() + retryDelaySeconds(attempts) * 1000), result.errorCode, traceId);
    await recordUsage(mail, traceId, { status: 'failed', reference: null, errorCode: result.errorCode, latencyMs });
  };
}
