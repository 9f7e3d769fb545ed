import type { Logger } from 'pino';
import type { NewUsageEvent } from '../integrations/store';
import type { Clock } from '../lib/clock';
import type { RandomBytes } from '../lib/random';
import { decryptSecret, encryptSecret, type KeyRing } from '../lib/secret-box';
import type { ClaimedMail, Executor, OutboxStore } from './outbox-store';
import type { MailTransport, RenderedMail } from './transport';

/** After this many failed attempts (about 4 hours of backoff) a message is given up and shown as failed. */
export const MAX_ATTEMPTS = 8;
const FIRST_RETRY_SECONDS = 30;
const MAX_RETRY_SECONDS = 3600;
const CLAIM_SECONDS = 120;
const BATCH = 20;

export function retryDelaySeconds(failedAttempts: number): number {
  return Math.min(FIRST_RETRY_SECONDS * 2 ** Math.max(0, failedAttempts - 1), MAX_RETRY_SECONDS);
}

/** "v***@example.test": enough for an operator to tell messages apart, not to collect addresses. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  return at <= 0 ? '***' : `${email[0]}***${email.slice(at)}`;
}

export interface MailOutbox {
  /** Whether an SMTP relay is configured: without one, nothing is queued or sent. */
  readonly enabled: boolean;
  /**
   * Queues `mail` for the user (within `executor`'s transaction when given: the message then
   * exists only if the change it reports commits). Never sends inline.
   */
  enqueue(input: { userId: string; kind: string; mail: RenderedMail }, executor?: Executor): Promise<void>;
  /** Asks the worker to look for due messages soon (after the caller's transaction has committed). */
  kick(): void;
  /** One full pass over due messages, after any pass in progress; resolves when it is done. */
  drain(): Promise<void>;
  start(pollIntervalMs: number): void;
  close(): Promise<void>;
}

export function createMailOutbox(deps: {
  store: OutboxStore;
  transport: MailTransport | undefined;
  recordUsage: (event: NewUsageEvent) => Promise<void>;
  keys: KeyRing;
  clock: Clock;
  randomBytes: RandomBytes;
  logger: Logger;
}): MailOutbox {
  const { store, transport, clock, logger } = deps;
  const context = (userId: string, kind: string) => ({ purpose: 'mail_outbox', subject: `${userId}:${kind}` });
  let chain: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

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

  async function deliver(mail: ClaimedMail, sender: MailTransport): Promise<void> {
    const traceId = deps.randomBytes(16).toString('hex');
    let rendered: RenderedMail;
    try {
      rendered = JSON.parse(decryptSecret(deps.keys, mail.payload, context(mail.userId, mail.kind)).toString('utf8')) as RenderedMail;
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
  }

  async function pass(): Promise<void> {
    if (!transport) return;
    for (;;) {
      const now = clock.nowMs();
      const batch = await store.claimDue(new Date(now), new Date(now + CLAIM_SECONDS * 1000), BATCH);
      for (const mail of batch) await deliver(mail, transport);
      if (batch.length < BATCH || closed) return;
    }
  }

  function drain(): Promise<void> {
    chain = chain.then(pass).catch((error: unknown) => {
      logger.warn({ integration: 'smtp', cause_code: (error as { code?: unknown }).code }, 'mail outbox pass failed; will retry');
    });
    return chain;
  }

  return {
    enabled: transport !== undefined,
    async enqueue(input, executor) {
      if (!transport) return;
      const payload = encryptSecret(deps.keys, Buffer.from(JSON.stringify(input.mail), 'utf8'), context(input.userId, input.kind), deps.randomBytes);
      await store.insert({ userId: input.userId, kind: input.kind, payload, nextAttemptAt: new Date(clock.nowMs()) }, executor);
    },
    kick() {
      if (!transport || closed) return;
      setImmediate(() => void drain());
    },
    drain,
    start(pollIntervalMs) {
      if (!transport || timer) return;
      timer = setInterval(() => void drain(), pollIntervalMs);
      timer.unref();
      void drain();
    },
    async close() {
      closed = true;
      if (timer) clearInterval(timer);
      await chain;
      transport?.close();
    },
  };
}
