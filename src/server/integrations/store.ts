import { and, desc, eq, isNull, notInArray, or, sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { integrationChecks, integrationUsageEvents } from '../db/schema';

export type IntegrationCheckRow = typeof integrationChecks.$inferSelect;

export interface UsageSummary {
  successCountSince: number;
  lastSuccessAt: Date | null;
  /** The newest event of any status. */
  latest: { status: UsageStatus; providerErrorCode: string | null; createdAt: Date } | null;
}

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
    async recordDeliveryStatus(providerReference: string, deliveryStatus: string, at: Date, providerErrorCode?: string): Promise<boolean> {
      const isFinal = FINAL_DELIVERY_STATUSES.includes(deliveryStatus);
      const rows = await db
        .update(integrationUsageEvents)
        // The carrier's reason for an undelivered message arrives only here (e.g. 30003).
        .set({ deliveryStatus, deliveryUpdatedAt: at, ...(providerErrorCode ? { providerErrorCode } : {}) })
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

    /** Proof of use: successful events since `since` (the caller's clock), the newest success, the newest event. */
    async summarizeUsage(integration: string, since: Date): Promise<UsageSummary> {
      const [counts] = await db
        .select({
          successCountSince: sql<number>`count(*) filter (where ${integrationUsageEvents.status} = 'success' and ${integrationUsageEvents.createdAt} >= ${since})::int`,
          lastSuccessAt: sql<Date | null>`max(${integrationUsageEvents.createdAt}) filter (where ${integrationUsageEvents.status} = 'success')`.mapWith(
            integrationUsageEvents.createdAt,
          ),
        })
        .from(integrationUsageEvents)
        .where(eq(integrationUsageEvents.integration, integration));
      const [latest] = await db
        .select({ status: integrationUsageEvents.status, providerErrorCode: integrationUsageEvents.providerErrorCode, createdAt: integrationUsageEvents.createdAt })
        .from(integrationUsageEvents)
        .where(eq(integrationUsageEvents.integration, integration))
        .orderBy(desc(integrationUsageEvents.createdAt))
        .limit(1);
      return {
        successCountSince: counts?.successCountSince ?? 0,
        lastSuccessAt: counts?.lastSuccessAt ?? null,
        latest: latest ?? null,
      };
    },

    /** The newest usage events of one action (OpsAlerts' recent test sends), newest first. */
    async listRecentUsage(integration: string, action: string, limit: number): Promise<UsageEventRow[]> {
      return db
        .select()
        .from(integrationUsageEvents)
        .where(and(eq(integrationUsageEvents.integration, integration), eq(integrationUsageEvents.action, action)))
        .orderBy(desc(integrationUsageEvents.createdAt))
        .limit(limit);
    },

    async getCheck(integration: string): Promise<IntegrationCheckRow | undefined> {
      const rows = await db.select().from(integrationChecks).where(eq(integrationChecks.integration, integration)).limit(1);
      return rows[0];
    },

    async saveCheck(check: IntegrationCheckRow): Promise<void> {
      const { integration: _integration, ...rest } = check;
      await db.insert(integrationChecks).values(check).onConflictDoUpdate({ target: integrationChecks.integration, set: rest });
    },
  };
}

export type IntegrationStore = ReturnType<typeof createIntegrationStore>;
