import type { Logger } from 'pino';
import type { SmsProvider } from './sms-provider';
import { SMS_TEST_ACTION } from './usage-actions';
import type { Clock } from '../lib/clock';
import type { Telemetry } from '../lib/telemetry';
import type { IntegrationCheckRow, IntegrationStore, UsageEventRow } from './store';

const DAY_MS = 24 * 3600 * 1000;

export interface IntegrationStatus {
  name: string;
  /** Every required setting is present and well-formed. */
  configured: boolean;
  /** The last credential check, made with the current settings, succeeded. */
  connected: boolean;
  lastCheckedAt: Date | null;
  lastUsedAt: Date | null;
  proofOfUseCount24h: number;
  /** The failing credential check's error code, else the newest send's (null once a send succeeds). */
  lastErrorCode: string | null;
  /** Why it is not configured, by variable name (never a value). */
  problems: string[];
}

/** One test SMS as OpsAlerts lists it: never the number, only its masked form. */
export interface RecentSend {
  traceId: string;
  createdAt: Date;
  maskedDestination: string | null;
  status: 'success' | 'failed' | 'not_configured';
  providerErrorCode: string | null;
  deliveryStatus: string | null;
  deliveryUpdatedAt: Date | null;
}

export interface IntegrationsService {
  /** The newest test sends through Twilio, newest first, with the delivery status callbacks reported. */
  recentTwilioSends(limit: number): Promise<RecentSend[]>;
  /** Every integration's status; the credential check is cached per INTEGRATION_CHECK_INTERVAL_SECONDS unless `refresh`. */
  list(options: { refresh: boolean }): Promise<IntegrationStatus[]>;
  twilioStatus(options: { refresh: boolean }): Promise<IntegrationStatus>;
  /** A verified delivery report: stores it on the usage event that sent the message. */
  recordDeliveryStatus(input: {
    integration: string;
    providerReference: string;
    deliveryStatus: string;
    providerErrorCode?: string | undefined;
  }): Promise<{ matched: boolean }>;
}

interface IntegrationsDeps {
  store: IntegrationStore;
  clock: Clock;
  logger: Logger;
  telemetry: Telemetry;
  twilio: {
    provider: SmsProvider | undefined;
    /** Identifies the configured credentials; a cached check made with others is ignored. */
    credentialFingerprint: string | undefined;
    problems: string[];
  };
  checkIntervalSeconds: number;
  /** Integrations owned by other capabilities (email: mail/integration.ts), listed after Twilio. */
  others?: Array<{ status(options: { refresh: boolean }): Promise<IntegrationStatus> }>;
}

/**
 * The Twilio credential check, cached per INTEGRATION_CHECK_INTERVAL_SECONDS and per credentials.
 * Answers undefined when Twilio is not configured.
 */
function createTwilioCheck(deps: IntegrationsDeps): (refresh: boolean) => Promise<IntegrationCheckRow | undefined> {
  const { store, clock, logger, telemetry, twilio } = deps;
  let inFlightCheck: Promise<IntegrationCheckRow> | undefined;

  /** One credential check at a time per process: concurrent status requests share it. */
  function runTwilioCheck(provider: SmsProvider): Promise<IntegrationCheckRow> {
    inFlightCheck ??= (async () => {
      const result = await provider.checkCredentials();
      const row: IntegrationCheckRow = {
        integration: 'twilio',
        checkedAt: new Date(clock.nowMs()),
        ok: result.ok ? 1 : 0,
        errorCode: result.ok ? null : result.failure.providerErrorCode,
        credentialFingerprint: twilio.credentialFingerprint ?? null,
      };
      await store.saveCheck(row);
      telemetry.emit('integrations.checked', { integration: 'twilio', ok: result.ok, error_code: row.errorCode });
      if (!result.ok) logger.warn({ integration: 'twilio', error_code: row.errorCode }, 'integration credential check failed');
      return row;
    })().finally(() => {
      inFlightCheck = undefined;
    });
    return inFlightCheck;
  }

  async function currentTwilioCheck(refresh: boolean): Promise<IntegrationCheckRow | undefined> {
    if (!twilio.provider) return undefined;
    const cached = await store.getCheck('twilio');
    const ageMs = cached ? clock.nowMs() - cached.checkedAt.getTime() : Number.POSITIVE_INFINITY;
    const usable = cached && cached.credentialFingerprint === twilio.credentialFingerprint && ageMs >= 0 && ageMs < deps.checkIntervalSeconds * 1000;
    if (usable && !refresh) return cached;
    return runTwilioCheck(twilio.provider);
  }

  return currentTwilioCheck;
}

function toRecentSend(row: UsageEventRow): RecentSend {
  return {
    traceId: row.traceId,
    createdAt: row.createdAt,
    maskedDestination: row.maskedDestination,
    status: row.status,
    providerErrorCode: row.providerErrorCode,
    deliveryStatus: row.deliveryStatus,
    deliveryUpdatedAt: row.deliveryUpdatedAt,
  };
}

export function createIntegrationsService(deps: IntegrationsDeps): IntegrationsService {
  const { store, clock, logger, twilio } = deps;
  const currentTwilioCheck = createTwilioCheck(deps);

  async function twilioStatus(options: { refresh: boolean }): Promise<IntegrationStatus> {
    const check = await currentTwilioCheck(options.refresh);
    const usage = await store.summarizeUsage('twilio', new Date(clock.nowMs() - DAY_MS));
    const latestEvent = usage.latest;
    const eventError = latestEvent?.status === 'failed' ? latestEvent.providerErrorCode : latestEvent?.status === 'not_configured' ? 'NOT_CONFIGURED' : null;
    // A failing credential check is the current problem; otherwise the newest send's error stays
    // visible until a send succeeds (looking at the status must not hide it by running a check).
    const checkError = check && check.ok !== 1 ? (check.errorCode ?? 'CHECK_FAILED') : null;
    return {
      name: 'twilio',
      configured: twilio.provider !== undefined,
      connected: check?.ok === 1,
      lastCheckedAt: check?.checkedAt ?? null,
      lastUsedAt: usage.lastSuccessAt,
      proofOfUseCount24h: usage.successCountSince,
      lastErrorCode: checkError ?? eventError,
      problems: twilio.problems,
    };
  }

  return {
    async recentTwilioSends(limit) {
      const rows = await store.listRecentUsage('twilio', SMS_TEST_ACTION, limit);
      return rows.map(toRecentSend);
    },
    async list(options) {
      return Promise.all([twilioStatus(options), ...(deps.others ?? []).map((other) => other.status(options))]);
    },
    twilioStatus,
    async recordDeliveryStatus(input) {
      const matched = await store.recordDeliveryStatus(input.providerReference, input.deliveryStatus, new Date(clock.nowMs()), input.providerErrorCode);
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
