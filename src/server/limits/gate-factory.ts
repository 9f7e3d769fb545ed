import type { Logger } from 'pino';
import type { AuditLog } from '../audit/service';
import type { Telemetry } from '../lib/telemetry';
import { createLimitGate, type LimitErrorCode, type LimitGate, type LimitHit } from './limit-gate';
import type { LimitSpec, LimiterStore } from './limiter-store';

/**
 * Builds gates that share one store and one way of reporting a hit: a log line and a telemetry
 * event for every refusal, one audit row per lockout.
 */
export function createGateFactory(deps: { store: LimiterStore; audit: AuditLog; telemetry: Telemetry; logger: Logger }) {
  const { store, audit, telemetry, logger } = deps;

  async function onHit(hit: LimitHit, errorCode: LimitErrorCode) {
    logger.warn({ limiter: hit.limiter, retry_after: hit.retryAfterSeconds, request_id: hit.context.origin?.requestId }, 'limit hit');
    telemetry.emit('limits.hit', { limiter: hit.limiter, retry_after: hit.retryAfterSeconds, request_id: hit.context.origin?.requestId ?? null });
    // One audit row per lockout, not per refused request: a flood must not turn into a flood of writes.
    if (!hit.firstRefusal) return;
    try {
      await audit.record(errorCode === 'TWO_FACTOR_LOCKED' ? 'limits.lockout' : 'limits.rate_limited', {
        userId: hit.context.userId ?? null,
        origin: hit.context.origin,
        details: { limiter: hit.limiter, retry_after: hit.retryAfterSeconds },
      });
    } catch (error) {
      logger.error({ cause_code: (error as { code?: unknown }).code }, 'could not record limit hit');
    }
  }

  return (spec: LimitSpec, errorCode: LimitErrorCode): LimitGate =>
    createLimitGate(store, spec, errorCode, (hit) => onHit(hit, errorCode));
}
