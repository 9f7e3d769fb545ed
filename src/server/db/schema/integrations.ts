import { sql } from 'drizzle-orm';
import { check, index, integer, pgTable, smallint, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, tsz } from './columns';
import { users } from './users';

/** Integration usage (proof of use) and the last credential check of each. */

export const integrationUsageEvents = pgTable(
  'integration_usage_events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    integration: text('integration').notNull(),
    action: text('action').notNull(),
    status: text('status', { enum: ['success', 'failed', 'not_configured'] }).notNull(),
    traceId: text('trace_id').notNull(),
    providerReference: text('provider_reference'),
    providerErrorCode: text('provider_error_code'),
    /** Delivery status reported later by the provider's status callback. */
    deliveryStatus: text('delivery_status'),
    deliveryUpdatedAt: tsz('delivery_updated_at'),
    latencyMs: integer('latency_ms'),
    actorUserId: uuid('actor_user_id').references(() => users.id, { onDelete: 'set null' }),
    /** Destination with all but the country code and last digits masked: +1*******0006. */
    maskedDestination: text('masked_destination'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('integration_usage_events_trace_id_key').on(t.traceId),
    index('integration_usage_events_integration_created_idx').on(t.integration, t.createdAt),
    index('integration_usage_events_provider_reference_idx').on(t.providerReference),
    // Housekeeping finds events past the retention by age alone.
    index('integration_usage_events_created_idx').on(t.createdAt),
    check('integration_usage_events_status_check', sql`${t.status} in ('success', 'failed', 'not_configured')`),
  ],
);

/** Last credential check per integration, shared by every instance. */
export const integrationChecks = pgTable('integration_checks', {
  integration: text('integration').primaryKey(),
  checkedAt: tsz('checked_at').notNull(),
  ok: smallint('ok').notNull(),
  errorCode: text('error_code'),
  /**
   * Which settings the check was made with (a truncated, domain-separated SHA-256 of the
   * account, credential and base URL; never the secret): a result obtained with other
   * credentials, e.g. before a restart with a rotated token, is not reused.
   */
  credentialFingerprint: text('credential_fingerprint'),
});
