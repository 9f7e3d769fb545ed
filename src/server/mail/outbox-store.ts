import { and, asc, count, eq, gt, inArray, isNull, lte, or, sql } from 'drizzle-orm';
import type { Database, DatabaseHandle, Executor } from '../db/client';
import { mailOutbox, users } from '../db/schema';

/**
 * The first key of the advisory lock that serialises one recipient's budgeted mails (the
 * second is the recipient's id, hashed). Only this module takes locks in this namespace.
 */
const HOURLY_BUDGET_LOCK_NAMESPACE = 0x6d61696c; // 'mail'

export interface NewOutboxMail {
  userId: string;
  kind: string;
  payload: string;
  nextAttemptAt: Date;
}

export interface ClaimedMail {
  id: string;
  userId: string;
  kind: string;
  payload: string;
  attempts: number;
  to: string;
}

/** Queuing a mail: always, or within its recipient's hourly budget. */
function createOutboxInsertions(db: Database, transaction: DatabaseHandle['transaction']) {
  return {
    async insert(mail: NewOutboxMail, executor: Executor = db): Promise<void> {
      await executor.insert(mailOutbox).values(mail);
    },

    /**
     * Inserts `mail` unless its recipient already has `max` rows of `kinds` created in the last
     * hour (database time); true when it was inserted. In the caller's transaction when given
     * one, else in a transaction of its own. The count and the insert run under a transaction
     * advisory lock on the recipient, so requests racing for the last place (on any instance)
     * queue behind each other and the next one counts the row the previous one committed: the
     * bound is exact, never `max` plus the racers.
     */
    async insertWithinHourlyBudget(mail: NewOutboxMail, budget: { kinds: readonly string[]; max: number }, executor?: Executor): Promise<boolean> {
      const countThenInsert = async (tx: Executor): Promise<boolean> => {
        await tx
          .select({ locked: sql`pg_advisory_xact_lock(${HOURLY_BUDGET_LOCK_NAMESPACE}::int, hashtext(${users.id}::text))` })
          .from(users)
          .where(eq(users.id, mail.userId));
        const [recent] = await tx
          .select({ n: count() })
          .from(mailOutbox)
          .where(and(eq(mailOutbox.userId, mail.userId), inArray(mailOutbox.kind, [...budget.kinds]), gt(mailOutbox.createdAt, sql`now() - interval '1 hour'`)));
        if ((recent?.n ?? 0) >= budget.max) return false;
        await tx.insert(mailOutbox).values(mail);
        return true;
      };
      return executor ? countThenInsert(executor) : transaction(countThenInsert);
    },
  };
}

/** The only SQL of the mail outbox. */
export function createOutboxStore(db: Database, transaction: DatabaseHandle['transaction']) {
  return {
    ...createOutboxInsertions(db, transaction),

    /**
     * Takes up to `limit` due rows for `lockSeconds`: rows another worker holds are skipped, so
     * instances sharing one database never send a message twice while a send is in flight.
     */
    async claimDue(now: Date, lockUntil: Date, limit: number): Promise<ClaimedMail[]> {
      const due = db
        .select({ id: mailOutbox.id })
        .from(mailOutbox)
        .where(and(eq(mailOutbox.status, 'pending'), lte(mailOutbox.nextAttemptAt, now), or(isNull(mailOutbox.lockedUntil), lte(mailOutbox.lockedUntil, now))))
        .orderBy(asc(mailOutbox.nextAttemptAt), asc(mailOutbox.createdAt))
        .limit(limit)
        .for('update', { skipLocked: true });
      const claimed = await db
        .update(mailOutbox)
        .set({ lockedUntil: lockUntil })
        .where(inArray(mailOutbox.id, due))
        .returning({
          id: mailOutbox.id,
          userId: mailOutbox.userId,
          kind: mailOutbox.kind,
          payload: mailOutbox.payload,
          attempts: mailOutbox.attempts,
          nextAttemptAt: mailOutbox.nextAttemptAt,
          createdAt: mailOutbox.createdAt,
        });
      // UPDATE … RETURNING has no order: oldest first, so one user's notices arrive in the order of the events.
      claimed.sort((a, b) => a.nextAttemptAt.getTime() - b.nextAttemptAt.getTime() || a.createdAt.getTime() - b.createdAt.getTime());
      if (claimed.length === 0) return [];
      const recipients = await db
        .select({ id: users.id, email: users.email })
        .from(users)
        .where(inArray(users.id, claimed.map((row) => row.userId)));
      const emailOf = new Map(recipients.map((r) => [r.id, r.email]));
      return claimed.flatMap(({ nextAttemptAt: _due, createdAt: _created, ...row }) => {
        const to = emailOf.get(row.userId);
        return to ? [{ ...row, to }] : [];
      });
    },

    async markSent(id: string, at: Date, traceId: string): Promise<void> {
      await db
        .update(mailOutbox)
        .set({ status: 'sent', sentAt: at, payload: '', lockedUntil: null, attempts: sql`${mailOutbox.attempts} + 1`, lastErrorCode: null, lastTraceId: traceId })
        .where(eq(mailOutbox.id, id));
    },

    async markRetry(id: string, next: Date, errorCode: string, traceId: string): Promise<void> {
      await db
        .update(mailOutbox)
        .set({ nextAttemptAt: next, lockedUntil: null, attempts: sql`${mailOutbox.attempts} + 1`, lastErrorCode: errorCode, lastTraceId: traceId })
        .where(eq(mailOutbox.id, id));
    },

    async markFailed(id: string, errorCode: string, traceId: string): Promise<void> {
      await db
        .update(mailOutbox)
        .set({ status: 'failed', payload: '', lockedUntil: null, attempts: sql`${mailOutbox.attempts} + 1`, lastErrorCode: errorCode, lastTraceId: traceId })
        .where(eq(mailOutbox.id, id));
    },

    /** Messages waiting (including those between retries), and given up since `failedSince`: for System status. */
    async counts(failedSince: Date): Promise<{ pending: number; failed: number }> {
      const [row] = await db
        .select({
          pending: sql<number>`count(*) filter (where ${mailOutbox.status} = 'pending')::int`,
          failed: sql<number>`count(*) filter (where ${mailOutbox.status} = 'failed' and ${mailOutbox.createdAt} >= ${failedSince})::int`,
        })
        .from(mailOutbox);
      return { pending: row?.pending ?? 0, failed: row?.failed ?? 0 };
    },
  };
}

export type OutboxStore = ReturnType<typeof createOutboxStore>;
