import type { Logger } from 'pino';
import type { AuditListener, EventOrigin, SecurityEventType } from '../audit/service';
import type { Clock } from '../lib/clock';
import type { Executor } from '../db/client';
import type { MailOutbox } from './outbox';
import { noticeKinds, renderNotice, type NoticeKind } from './templates';

/**
 * Security notices by email: "this happened to your account; if it was not you, act".
 * Queued, never sent inline, and a failure to queue is logged, never passed on: a notice must
 * not fail the change it reports.
 */
export interface Notices {
  /** False without an SMTP relay: callers may skip work whose only purpose is a notice. */
  readonly enabled: boolean;
  /** Queues `kind` for the user, inside the caller's transaction when it has one. */
  notify(userId: string, kind: NoticeKind, origin: EventOrigin | undefined, executor?: Executor): Promise<void>;
  /** Subscribed to the audit log: maps security events to notices. */
  onAuditEvent: AuditListener;
  /** Runs `work` (which queues a notice) after the caller's answer, logging any failure. */
  later(work: () => Promise<void>): void;
  /** Resolves when every `later` job has finished (tests, the proof, shutdown). */
  settled(): Promise<void>;
}

/** Which audited events the account owner is told about by email. */
export function noticeFor(type: SecurityEventType, details: Record<string, unknown> | undefined): NoticeKind | undefined {
  switch (type) {
    case '2fa.enabled':
      return 'two_factor_enabled';
    case '2fa.disabled':
    case 'admin.2fa_reset':
      return 'two_factor_disabled';
    case '2fa.backup_codes_regenerated':
      return 'backup_codes_regenerated';
    case 'auth.password_changed':
      return details?.via === 'password_reset' ? 'password_reset' : 'password_changed';
    case 'limits.lockout':
      return 'account_locked';
    case 'passkeys.registered':
      return 'passkey_added';
    case 'passkeys.removed':
      return 'passkey_removed';
    default:
      return undefined;
  }
}

/**
 * Notices go to an address nobody verified, and whoever holds an account's password can make
 * them (a sign-in from a new browser, a passkey added and removed): uncounted, an account
 * registered with someone else's address could mail that inbox as fast as it signs in. So an
 * account is sent at most `perAccountPerHour` notices an hour (MAIL_NOTICES_ACCOUNT_MAX_PER_HOUR);
 * the hour's first always go out, so a burst still tells the owner that something is happening.
 */
export function createNotices(deps: { outbox: MailOutbox; clock: Clock; logger: Logger; issuer: string; perAccountPerHour: number }): Notices {
  const { outbox, clock, logger } = deps;
  const inFlight = new Set<Promise<void>>();

  async function notify(userId: string, kind: NoticeKind, origin: EventOrigin | undefined, executor?: Executor): Promise<void> {
    if (!outbox.enabled) return;
    try {
      const mail = renderNotice(kind, { at: new Date(clock.nowMs()), ip: origin?.ip, userAgent: origin?.userAgent }, deps.issuer);
      const queued = await outbox.enqueueWithinHourlyBudget({ userId, kind, mail }, { kinds: noticeKinds, max: deps.perAccountPerHour }, executor);
      if (!queued) {
        logger.warn({ integration: 'smtp', kind, request_id: origin?.requestId }, 'notice not queued: the account was sent its hourly number of notices');
        return;
      }
      outbox.kick();
    } catch (error) {
      logger.error({ integration: 'smtp', kind, cause_code: (error as { code?: unknown }).code, request_id: origin?.requestId }, 'could not queue notice');
    }
  }

  return {
    enabled: outbox.enabled,
    notify,
    later(work) {
      const job: Promise<void> = work()
        .catch((error: unknown) => logger.error({ integration: 'smtp', cause_code: (error as { code?: unknown }).code }, 'could not queue notice'))
        .finally(() => inFlight.delete(job));
      inFlight.add(job);
    },
    async settled() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
    async onAuditEvent(type, entry, executor) {
      const kind = noticeFor(type, entry.details);
      if (!kind || !entry.userId) return;
      await notify(entry.userId, kind, entry.origin, executor);
    },
  };
}
