import { and, eq, isNull, notInArray, or } from 'drizzle-orm';
import type { Database } from '../db/client';
import { integrationUsageEvents } from '../db/schema';

/** Delivery states after which a late "sent" or "queued" callback must not move the row back. */
export const FINAL_DELIVERY_STATUSES = ['delivered', 'undelivered', 'failed', 'read', 'canceled'];

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

    /**
     * Records a provider's delivery report on the event it sent. Callbacks can arrive out of
     * order, so a final status is never overwritten by a non-final one. Returns whether a row changed.
     */
    async recordDeliveryStatus(providerReference: string, deliveryStatus: string, at: Date): Promise<boolean> {
      const isFinal = FINAL_DELIVERY_STATUSES.includes(deliveryStatus);
      const rows = await db
        .update(integrationUsageEvents)
        .set({ deliveryStatus, deliveryUpdatedAt: at })
        .where(
          and(
            eq(integrationUsageEvents.providerReference, providerReference),
            isFinal
              ? undefined
              : or(isNull(integrationUsageEvents.deliveryStatus), notInArray(integrationUsageEvents.deliveryStatus, FINAL_DELIVERY_STATUSES)),
          ),
        )
        .returning({ traceId: integrationUsageEvents.traceId });
      return rows.length > 0;
    },
  };
}

export type IntegrationStore = ReturnType<typeof createIntegrationStore>;
