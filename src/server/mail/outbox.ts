import type { Logger } from 'pino';
import type { NewUsageEvent } from '../integrations/store';
import type { Clock } from '../lib/clock';
import type { RandomBytes } from '../lib/random';
import { encryptSecret, type KeyRing } from '../lib/secret-box';
import { createDelivery } from './delivery';
import type { Executor } from '../db/client';
import type { OutboxStore } from './outbox-store';
import type { MailTransport, RenderedMail } from './transport';

const CLAIM_SECONDS = 120;
const BATCH = 20;

export interface MailOutbox {
  /** Whether an SMTP relay is configured: without one, nothing is queued or sent. */
  readonly enabled: boolean;
  /**
   * Queues `mail` for the user (within `executor`'s transaction when given: the message then
   * exists only if the change it reports commits). Never sends inline.
   */
  enqueue(input: { userId: string; kind: string; mail: RenderedMail }, executor?: Executor): Promise<void>;
  /**
   * Like enqueue, unless the recipient was already queued `budget.max` mails of `budget.kinds`
   * in the last hour: resolves to whether it was queued (true without a relay: nothing to bound).
   */
  enqueueWithinHourlyBudget(
    input: { userId: string; kind: string; mail: RenderedMail },
    budget: { kinds: readonly string[]; max: number },
    executor?: Executor,
  ): Promise<boolean>;
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
  const sealed = (input: { userId: string; kind: string; mail: RenderedMail }) => ({
    userId: input.userId,
    kind: input.kind,
    payload: encryptSecret(deps.keys, Buffer.from(JSON.stringify(input.mail), 'utf8'), context(input.userId, input.kind), deps.randomBytes),
    nextAttemptAt: new Date(clock.nowMs()),
  });
  let chain: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const deliver = createDelivery({ ...deps, context });

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
      await store.insert(sealed(input), executor);
    },
    async enqueueWithinHourlyBudget(input, budget, executor) {
      if (!transport) return true;
      return store.insertWithinHourlyBudget(sealed(input), budget, executor);
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
