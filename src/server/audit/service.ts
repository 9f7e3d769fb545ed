import type { Executor } from '../db/client';
import type { Clock } from '../lib/clock';
import type { RequestOrigin } from '../core/request-origin';
import type { SecurityEventType } from '../../common/security-event-types';
import type { NewSecurityEvent, SecurityEventRow, SecurityEventStore } from './store';

export { securityEventTypes, type SecurityEventType } from '../../common/security-event-types';

/**
 * The audit trail (ASVS 4.0.3 V7.1, 5.0 16.3): every security-relevant decision, with who,
 * from where and which request. Details are allow-listed keys with plain values, so a code,
 * secret or token cannot be recorded by accident.
 */
const ALLOWED_DETAIL_KEYS = new Set([
  'method',
  'reason',
  'limiter',
  'retry_after',
  'key_id',
  'count',
  'aal',
  'remaining',
  'sessions_revoked',
  'via',
  'trace_id',
  'status',
  'backed_up',
  'days',
]);

export type SecurityEventDetails = Record<string, string | number | boolean | null>;

/** Events recorded outside a request (CLI, start-up) carry no origin or only part of one. */
export type EventOrigin = Partial<RequestOrigin>;

export interface AuditEntry {
  userId?: string | null;
  origin?: EventOrigin;
  details?: SecurityEventDetails;
}

/**
 * Told of every event `record` wrote, with the executor it was written with, so a follow-up row
 * (an email notice) can join the same transaction. A listener must not throw.
 */
export type AuditListener = (type: SecurityEventType, entry: AuditEntry, executor: Executor | undefined) => Promise<void>;

export interface AuditLog {
  /** Adds a listener (the mail notices subscribe here, so the services that audit need not know about mail). */
  subscribe(listener: AuditListener): void;
  record(type: SecurityEventType, input: AuditEntry, executor?: Executor): Promise<void>;
  /** The rows `record` would write, for a capability that writes them within a larger statement. */
  toRows(entries: Array<AuditEntry & { type: SecurityEventType }>): NewSecurityEvent[];
  /** Tells the listeners of events such a statement wrote (outside any transaction), as `record` does after its insert. */
  announce(entries: Array<AuditEntry & { type: SecurityEventType }>): Promise<void>;
  listForUser(userId: string, limit?: number): Promise<SecurityEventRow[]>;
}

function allowListed(details: SecurityEventDetails | undefined): SecurityEventDetails {
  const safe: SecurityEventDetails = {};
  for (const [key, value] of Object.entries(details ?? {})) {
    if (!ALLOWED_DETAIL_KEYS.has(key)) continue;
    safe[key] = typeof value === 'string' ? value.slice(0, 120) : value;
  }
  return safe;
}

export function createAuditLog(store: SecurityEventStore, clock: Clock): AuditLog {
  const toRow = (type: SecurityEventType, input: AuditEntry): NewSecurityEvent => ({
    type,
    userId: input.userId ?? null,
    ip: input.origin?.ip ?? null,
    userAgent: input.origin?.userAgent ?? null,
    requestId: input.origin?.requestId ?? null,
    details: allowListed(input.details),
    createdAt: new Date(clock.nowMs()),
  });
  const listeners: AuditListener[] = [];
  return {
    subscribe(listener) {
      listeners.push(listener);
    },
    async record(type, input, executor) {
      await store.insert(toRow(type, input), executor);
      for (const listener of listeners) await listener(type, input, executor);
    },
    toRows: (entries) => entries.map(({ type, ...input }) => toRow(type, input)),
    async announce(entries) {
      for (const { type, ...input } of entries) for (const listener of listeners) await listener(type, input, undefined);
    },
    listForUser(userId, limit = 50) {
      return store.listForUser(userId, Math.min(Math.max(limit, 1), 200));
    },
  };
}
