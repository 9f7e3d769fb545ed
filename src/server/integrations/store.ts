import type { Database } from '../db/client';
import { integrationUsageEvents } from '../db/schema';

export type UsageEventRow = typeof integrationUsageEvents.$inferSelect;
export type UsageStatus = UsageEventRow['status'];

export interface NewUsageEvent {
  integration: string;
  action: string;
  status: UsageStatus;
  traceId: string;
  providerReference: string | null;
  providerErrorCode: string | null;
  latencyMs: number | null;
  actorUserId: string | null;
  maskedDestination: string | null;
  createdAt: Date;
}

/** The only SQL of the integrations capability: usage events and credential checks. */
export function createIntegrationStore(db: Database) {
  return {
    async insertUsageEvent(event: NewUsageEvent): Promise<void> {
      await db.insert(integrationUsageEvents).values(event);
    },
  };
}

export type IntegrationStore = ReturnType<typeof createIntegrationStore>;
