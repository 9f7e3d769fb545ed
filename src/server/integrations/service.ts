import type { Logger } from 'pino';
import type { Clock } from '../lib/clock';
import type { IntegrationStore } from './store';

export interface IntegrationsService {
  /** A verified delivery report: stores it on the usage event that sent the message. */
  recordDeliveryStatus(input: { integration: string; providerReference: string; deliveryStatus: string; providerErrorCode?: string | undefined }): Promise<{ matched: boolean }>;
}

export function createIntegrationsService(deps: { store: IntegrationStore; clock: Clock; logger: Logger }): IntegrationsService {
  const { store, clock, logger } = deps;
  return {
    async recordDeliveryStatus(input) {
      const matched = await store.recordDeliveryStatus(input.providerReference, input.deliveryStatus, new Date(clock.nowMs()));
      logger.info(
        {
          event: 'integrations.delivery_status',
          integration: input.integration,
          provider_reference: input.providerReference,
          delivery_status: input.deliveryStatus,
          provider_error_code: input.providerErrorCode ?? null,
          matched,
        },
        'delivery status received',
      );
      return { matched };
    },
  };
}
