import { desc, eq, sql } from 'drizzle-orm';
import type { Database, Executor } from '../db/client';
import { securityEvents } from '../db/schema';

export type SecurityEventRow = typeof securityEvents.$inferSelect;
export type NewSecurityEvent = typeof securityEvents.$inferInsert;

export interface SecurityEventStore {
  /** One or several rows in a single statement. */
  insert(events: NewSecurityEvent | NewSecurityEvent[], executor?: Executor): Promise<void>;
  listForUser(userId: string, limit: number): Promise<SecurityEventRow[]>;
}

export function createSecurityEventStore(db: Database): SecurityEventStore {
  // Nearly every request that signs in or is refused writes one event outside a transaction:
  // that insert is a named statement, built once.
  const insertOne = db
    .insert(securityEvents)
    .values({
      userId: sql.placeholder('userId'),
      type: sql.placeholder('type'),
      ip: sql.placeholder('ip'),
      userAgent: sql.placeholder('userAgent'),
      requestId: sql.placeholder('requestId'),
      details: sql.placeholder('details'),
      createdAt: sql.placeholder('createdAt'),
    })
    .prepare('security_events_insert_one');
  return {
    async insert(events, executor = db) {
      // A row without its time is left to the column's default (the database's now()).
      if (executor === db && !Array.isArray(events) && events.createdAt) {
        const { userId = null, type, ip = null, userAgent = null, requestId = null, details = {}, createdAt } = events;
        await insertOne.execute({ userId, type, ip, userAgent, requestId, details, createdAt });
        return;
      }
      await executor.insert(securityEvents).values(Array.isArray(events) ? events : [events]);
    },
    async listForUser(userId, limit) {
      return db
        .select()
        .from(securityEvents)
        .where(eq(securityEvents.userId, userId))
        .orderBy(desc(securityEvents.createdAt), desc(securityEvents.id))
        .limit(limit);
    },
  };
}
