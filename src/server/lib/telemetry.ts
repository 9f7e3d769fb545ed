import type { Logger } from 'pino';

/**
 * Product telemetry by allow-list: each event names the only fields it may carry. A field
 * not listed is dropped, so a secret passed by mistake never leaves the process.
 */
export const telemetryEvents = {
  'auth.registered': ['user_id', 'request_id'],
  'auth.login': ['outcome', 'user_id', 'aal', 'request_id'],
  'auth.logout': ['user_id', 'request_id'],
  '2fa.setup_started': ['user_id', 'request_id'],
  '2fa.enabled': ['user_id', 'request_id'],
  '2fa.disabled': ['user_id', 'method', 'request_id'],
  '2fa.verified': ['user_id', 'method', 'outcome', 'request_id'],
  '2fa.backup_codes_regenerated': ['user_id', 'request_id'],
  'passkeys.registered': ['user_id', 'request_id'],
  'passkeys.removed': ['user_id', 'request_id'],
  'limits.hit': ['limiter', 'retry_after', 'request_id'],
  'sms.sent': ['trace_id', 'status', 'latency_ms', 'provider_error_code', 'request_id'],
  'integrations.checked': ['integration', 'ok', 'error_code'],
  'keys.rotated': ['rotated', 'skipped', 'failed'],
} as const satisfies Record<string, readonly string[]>;

export type TelemetryEventName = keyof typeof telemetryEvents;
type FieldOf<E extends TelemetryEventName> = (typeof telemetryEvents)[E][number];
export type TelemetryValue = string | number | boolean | null;

export interface Telemetry {
  emit<E extends TelemetryEventName>(event: E, fields: Partial<Record<FieldOf<E>, TelemetryValue>>): void;
}

export function createTelemetry(logger: Logger): Telemetry {
  const channel = logger.child({ channel: 'telemetry' });
  return {
    emit(event, fields) {
      const allowed: readonly string[] = telemetryEvents[event];
      const safe: Record<string, TelemetryValue> = {};
      for (const [key, value] of Object.entries(fields as Record<string, unknown>)) {
        if (!allowed.includes(key)) continue;
        if (value === null || typeof value === 'number' || typeof value === 'boolean') safe[key] = value;
        else if (typeof value === 'string') safe[key] = value.slice(0, 200);
      }
      channel.info({ event, ...safe }, 'telemetry');
    },
  };
}
