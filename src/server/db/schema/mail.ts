import { sql } from 'drizzle-orm';
import { check, index, integer, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { createdAt, tsz } from './columns';
import { users } from './users';

/**
 * The mail outbox: a notice or reset mail is written here (in the transaction of the change it
 * reports, when there is one) and sent by the outbox worker, with retries, so a slow or failing
 * relay never blocks or fails the action. The rendered message is sealed with the app key (a
 * reset link is a bearer secret) and wiped once sent.
 */
export const mailOutbox = pgTable(
  'mail_outbox',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Who receives it: the address is read from users at send time. */
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    /** secret-box envelope of the rendered message; empty once sent or given up. */
    payload: text('payload').notNull(),
    status: text('status', { enum: ['pending', 'sent', 'failed'] }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: tsz('next_attempt_at').notNull(),
    /** Set while a worker sends the row; another worker may take it once this has passed. */
    lockedUntil: tsz('locked_until'),
    lastErrorCode: text('last_error_code'),
    lastTraceId: text('last_trace_id'),
    sentAt: tsz('sent_at'),
    createdAt: createdAt(),
  },
  (t) => [
    index('mail_outbox_due_idx').on(t.status, t.nextAttemptAt),
    // The notices an account was queued in the last hour (mail/notices.ts, MAIL_NOTICES_ACCOUNT_MAX_PER_HOUR).
    index('mail_outbox_user_created_idx').on(t.userId, t.createdAt),
    check('mail_outbox_status_check', sql`${t.status} in ('pending', 'sent', 'failed')`),
  ],
);
