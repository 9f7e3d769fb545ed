import { desc, eq } from 'drizzle-orm';
import type { Database } from '../db/client';
import { securityEvents } from '../db/schema';

export type SecurityEventRow = typeof securityEvents.$inferSelect;
export type NewSecurityEvent = typeof securityEvents.$inferInsert;
type Executor = Pick<Database, 'insert'>;

export interface SecurityEventStore {
  insert(event: NewSecurityEvent, executor?: Executor): Promise<void>;
  listForUser(userId: string, limit: number): Promise<SecurityEventRow[]>;
}

export function createSecurityEventStore(db: Database): SecurityEventStore {
  return {
    async insert(event, executor = db) {
      await executor.insert(securityEvents).values(event);
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
