import { desc, eq } from 'drizzle-orm';
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
  return {
    async insert(events, executor = db) {
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
