import type { Logger } from 'pino';
import type { AuditLog } from '../audit/service';
import type { Config } from '../config';
import type { Database, DatabaseHandle } from '../db/client';
import type { IntegrationStore } from '../integrations/store';
import type { Clock } from '../lib/clock';
import type { RandomBytes } from '../lib/random';
import type { KeyRing } from '../lib/secret-box';
import type { StatusCheck } from '../system/status';
import { createSmtpIntegration, type SmtpIntegration } from './integration';
import { createNotices, type Notices } from './notices';
import { createMailOutbox, type MailOutbox } from './outbox';
import { createOutboxStore, type OutboxStore } from './outbox-store';
import { resolveSmtpSettings, smtpFingerprint, type SmtpSettingsResolution } from './settings';
import { smtpStatusCheck } from './status-check';
import { createSmtpTransport } from './transport';

/** How often the outbox worker looks for due messages (retries; mail queued by another instance). */
export const OUTBOX_POLL_MS = 5_000;
const DAY_MS = 24 * 3600 * 1000;

export interface MailCapability {
  smtp: SmtpSettingsResolution;
  outboxStore: OutboxStore;
  outbox: MailOutbox;
  notices: Notices;
  integration: SmtpIntegration;
  statusCheck(publicUrl: string | undefined): StatusCheck;
}

/**
 * Email: SMTP delivery (nodemailer), the durable outbox and its worker, security notices
 * (subscribed to the audit log) and SMTP's place in the control plane and System status.
 */
export function createMailCapability(deps: {
  config: Config;
  db: Database;
  /** Runs work in one transaction (the database handle's): a budgeted notice counts and queues in one. */
  transaction: DatabaseHandle['transaction'];
  audit: AuditLog;
  integrationStore: IntegrationStore;
  keys: KeyRing;
  clock: Clock;
  randomBytes: RandomBytes;
  logger: Logger;
}): MailCapability {
  const { config, clock, logger } = deps;
  const smtp = resolveSmtpSettings(config.mail);
  // The same nodemailer SMTP path for a real relay and for `npm run smtp:fake`: only SMTP_URL differs.
  const transport = smtp.configured
    ? createSmtpTransport({ smtpUrl: smtp.smtpUrl, from: smtp.from, timeoutMs: config.mail.timeoutMs, isProduction: config.isProduction })
    : undefined;
  const outboxStore = createOutboxStore(deps.db, deps.transaction);
  const outbox = createMailOutbox({
    store: outboxStore,
    transport,
    recordUsage: (event) => deps.integrationStore.insertUsageEvent(event),
    keys: deps.keys,
    clock,
    randomBytes: deps.randomBytes,
    logger,
  });
  const notices = createNotices({ outbox, clock, logger, issuer: config.twoFactor.issuer, perAccountPerHour: config.mail.noticesAccountMaxPerHour });
  deps.audit.subscribe(notices.onAuditEvent);
  const integration = createSmtpIntegration({
    store: deps.integrationStore,
    transport,
    credentialFingerprint: smtp.configured ? smtpFingerprint(smtp.smtpUrl) : undefined,
    problems: smtp.problems,
    clock,
    logger,
    checkIntervalSeconds: config.integrations.checkIntervalSeconds,
  });
  return {
    smtp,
    outboxStore,
    outbox,
    notices,
    integration,
    statusCheck: (publicUrl) =>
      smtpStatusCheck({
        smtp: integration,
        outboxCounts: () => outboxStore.counts(new Date(clock.nowMs() - DAY_MS)),
        publicUrl,
        timeoutMs: config.mail.timeoutMs,
      }),
  };
}
