import type { Logger } from 'pino';
import type { AuditLog } from '../audit/service';
import type { RequestOrigin } from '../core/request-origin';
import { AppError } from '../core/app-error';
import { ipLimiterKey } from '../core/client-address';
import type { Clock } from '../lib/clock';
import { SMS_ALERT_ACTION, SMS_TEST_ACTION } from '../integrations/usage-actions';
import type { RandomBytes } from '../lib/random';
import type { Telemetry } from '../lib/telemetry';
import { limiterKey, type LimitGate } from '../limits/limit-gate';
import { reserveInOrder } from '../limits/reserve-in-order';
import type { NewUsageEvent, UsageStatus } from '../integrations/store';
import { checkSmsDestination, describeSmsDestinationRefusal, type SmsDestinationCheck } from '../../common/phone';
import { composeTestSmsBody } from '../../common/sms-test-text';
import { maskPhoneNumber } from './mask';
import type { ProviderFailure, SmsProvider } from '../integrations/sms-provider';

/** SMS costs money: test sends are capped per admin and per client IP (IPv6 by /64). */
export interface SmsTestLimits {
  admin: LimitGate;
  ip: LimitGate;
}

export interface SmsTestResult {
  traceId: string;
  providerMessageId: string;
  status: string;
}

export interface SmsAlertInput {
  to: string;
  body: string;
  /** The host's own correlation id (8-64 of A-Z a-z 0-9 . _ : -); one is made when absent. */
  traceId?: string;
}

export interface SmsAlertService {
  /** The text is fixed; `note` is the admin's only say in it (at most SMS_TEST_NOTE_MAX_CHARS, checked by the route's schema). */
  sendTestSms(input: { to: string; note: string | undefined; actorUserId: string }, origin: RequestOrigin): Promise<SmsTestResult>;
  /**
   * An embedding application's own alert (gate.sendSmsAlert): the host composes the text, and
   * the send takes the test SMS's path (geo permissions, one usage row, log line, audit event,
   * telemetry), with no user as its actor.
   */
  sendAlert(input: SmsAlertInput): Promise<SmsTestResult>;
}

const SAFE_TRACE_ID = /^[A-Za-z0-9._:-]{8,64}$/;
/** Twilio's limit for one message body (it splits it into segments itself). */
const SMS_BODY_MAX_CHARS = 1600;

type Attempt =
  | { status: 'success'; providerMessageId: string; providerStatus: string; latencyMs: number }
  | { status: 'failed'; failure: ProviderFailure; latencyMs: number }
  /** Stopped by the geo permissions before the provider was called: recorded as a failed attempt. */
  | { status: 'refused'; check: Extract<SmsDestinationCheck, { allowed: false }> }
  | { status: 'not_configured' };

/** The provider_error_code of a refused destination's usage row: the same words as the answer's error_code. */
export const DESTINATION_REFUSED_CODE = 'SMS_DESTINATION_NOT_ALLOWED';

export { SMS_ALERT_ACTION, SMS_TEST_ACTION };

/** The answer to one attempt: its result, or the problem the SMS test route also answers with (trace_id included). */
function answerFor(attempt: Attempt, traceId: string, deps: { allowedCountries: readonly string[]; providerTimeoutMs: number }): SmsTestResult {
  const trace = { trace_id: traceId };
  switch (attempt.status) {
    case 'success':
      return { traceId, providerMessageId: attempt.providerMessageId, status: attempt.providerStatus };
    case 'not_configured':
      throw new AppError('SMS_NOT_CONFIGURED', {
        detail: 'Set the TWILIO_* variables; GET /api/system/status names what is missing',
        extensions: trace,
      });
    case 'refused':
      throw new AppError('SMS_DESTINATION_NOT_ALLOWED', {
        detail: describeSmsDestinationRefusal(attempt.check, deps.allowedCountries),
        extensions: { ...trace, reason: attempt.check.reason },
      });
    case 'failed': {
      const extensions = { ...trace, provider_error_code: attempt.failure.providerErrorCode };
      const detail = providerErrorDetail(attempt.failure, deps.providerTimeoutMs);
      throw new AppError(attempt.failure.kind === 'rejected' ? 'SMS_PROVIDER_REJECTED' : 'SMS_PROVIDER_UNAVAILABLE', { detail, extensions });
    }
  }
}

/** What distinguishes an admin's test SMS from a host application's alert in the records. */
const KINDS = {
  test: { action: SMS_TEST_ACTION, auditType: 'alerts.sms_test', words: 'sms test' },
  alert: { action: SMS_ALERT_ACTION, auditType: 'alerts.sms_alert', words: 'sms alert' },
} as const;

interface AttemptContext {
  kind: keyof typeof KINDS;
  traceId: string;
  createdAt: Date;
  maskedDestination: string;
  /** The admin who sent a test; null for a host application's alert. */
  actorUserId: string | null;
  origin: RequestOrigin;
}

function providerErrorDetail(failure: ProviderFailure, timeoutMs: number): string {
  const code = failure.providerErrorCode;
  if (failure.kind === 'rejected') {
    return /^\d+$/.test(code)
      ? `The SMS provider refused the message (error ${code}: https://www.twilio.com/docs/errors/${code})`
      : `The SMS provider refused the message (${code})`;
  }
  if (code === 'TIMEOUT') {
    return `No answer from the SMS provider within ${timeoutMs} ms; the message may still have been sent (check the provider's log before retrying)`;
  }
  return `The SMS provider could not be reached or failed (${code}); try again later`;
}

interface SmsAlertDeps {
  /** Undefined when the integration is not configured: every attempt is then recorded as not_configured. */
  provider: SmsProvider | undefined;
  usage: { insertUsageEvent(event: NewUsageEvent): Promise<void> };
  audit: AuditLog;
  telemetry: Telemetry;
  logger: Logger;
  clock: Clock;
  randomBytes: RandomBytes;
  limits: SmsTestLimits;
  /** Passed to the provider so it reports delivery; undefined when no verifiable callback URL exists. */
  statusCallbackUrl: string | undefined;
  providerTimeoutMs: number;
  /** SMS geo permissions: ISO 3166-1 alpha-2 countries a destination may be in (config.sms). */
  allowedCountries: readonly string[];
  /** Names the sender in the fixed test text (TOTP_ISSUER). */
  issuer: string;
}

/**
 * Every SMS goes out through here, so no sender can skip the destination rule. Not
 * configured comes first: with no provider nothing can be sent to any number, and saying
 * so is the useful answer.
 */
async function attemptSend(deps: Pick<SmsAlertDeps, 'provider' | 'allowedCountries' | 'statusCallbackUrl'>, to: string, body: string): Promise<Attempt> {
  const { provider } = deps;
  if (!provider) return { status: 'not_configured' };
  const destination = checkSmsDestination(to, deps.allowedCountries);
  if (!destination.allowed) return { status: 'refused', check: destination };
  // Latency on the monotonic clock: the injected wall clock may be a test's fake one.
  const started = performance.now();
  const latency = () => Math.max(0, Math.round(performance.now() - started));
  try {
    const result = await provider.sendSms({ to, body, ...(deps.statusCallbackUrl ? { statusCallback: deps.statusCallbackUrl } : {}) });
    if (result.ok) return { status: 'success', providerMessageId: result.providerMessageId, providerStatus: result.status, latencyMs: latency() };
    return { status: 'failed', failure: result.failure, latencyMs: latency() };
  } catch {
    // The provider contract says it never throws; if it does, the attempt is still one failed row.
    return { status: 'failed', failure: { kind: 'unavailable', providerErrorCode: 'CLIENT_ERROR', httpStatus: null }, latencyMs: latency() };
  }
}

/**
 * Records one attempt: the usage row first, then the log line, audit and telemetry. None of
 * them may throw: the SMS has already gone out (or failed), and the answer must say which.
 * A row that cannot be written is reported in the log line (recorded: false) with the
 * trace_id and provider reference, so it can be reconstructed.
 */
async function recordAttempt(
  deps: Pick<SmsAlertDeps, 'usage' | 'audit' | 'telemetry' | 'logger'>,
  integration: string,
  attempt: Attempt,
  context: AttemptContext,
): Promise<void> {
  const { usage, audit, telemetry, logger } = deps;
  const kind = KINDS[context.kind];
  const status: UsageStatus = attempt.status === 'refused' ? 'failed' : attempt.status;
  const providerReference = attempt.status === 'success' ? attempt.providerMessageId : null;
  const providerErrorCode =
    attempt.status === 'failed' ? attempt.failure.providerErrorCode : attempt.status === 'refused' ? DESTINATION_REFUSED_CODE : null;
  const latencyMs = attempt.status === 'success' || attempt.status === 'failed' ? attempt.latencyMs : null;
  let recorded = true;
  try {
    await usage.insertUsageEvent({
      integration,
      action: kind.action,
      status,
      traceId: context.traceId,
      providerReference,
      providerErrorCode,
      latencyMs,
      actorUserId: context.actorUserId,
      maskedDestination: context.maskedDestination,
      createdAt: context.createdAt,
    });
  } catch (error) {
    recorded = false;
    logger.error({ trace_id: context.traceId, cause_code: (error as { code?: unknown }).code }, 'sms usage event could not be recorded');
  }
  const line = {
    event: kind.action,
    trace_id: context.traceId,
    request_id: context.origin.requestId,
    integration,
    status,
    provider_reference: providerReference,
    provider_error_code: providerErrorCode,
    ...(attempt.status === 'refused' ? { refusal: attempt.check.reason, destination_country: attempt.check.country ?? null } : {}),
    latency_ms: latencyMs,
    destination: context.maskedDestination,
    actor_user_id: context.actorUserId,
    recorded,
  };
  if (status === 'success') logger.info(line, `${kind.words} sent`);
  else logger.warn(line, `${kind.words} not sent`);
  try {
    await audit.record(kind.auditType, {
      userId: context.actorUserId,
      origin: context.origin,
      // A refused destination is what a stolen admin account probing for toll fraud looks
      // like: the reason stays visible in that account's security activity.
      details: { trace_id: context.traceId, status, ...(attempt.status === 'refused' ? { reason: attempt.check.reason } : {}) },
    });
  } catch (error) {
    logger.error({ trace_id: context.traceId, cause_code: (error as { code?: unknown }).code }, `${kind.words} audit event could not be recorded`);
  }
  telemetry.emit('sms.sent', {
    trace_id: context.traceId,
    status,
    latency_ms: latencyMs,
    provider_error_code: providerErrorCode,
    request_id: context.origin.requestId,
  });
}

export function createSmsAlertService(deps: SmsAlertDeps): SmsAlertService {
  const { provider, clock, randomBytes, limits } = deps;
  const integration = provider?.integration ?? 'twilio';

  /** One send, recorded once, answered as the SMS test route answers (problem codes with the trace_id). */
  async function deliver(message: { to: string; body: string }, traceId: string, context: Omit<AttemptContext, 'traceId' | 'createdAt' | 'maskedDestination'>): Promise<SmsTestResult> {
    const createdAt = new Date(clock.nowMs());
    const attempt = await attemptSend(deps, message.to, message.body);
    await recordAttempt(deps, integration, attempt, { ...context, traceId, createdAt, maskedDestination: maskPhoneNumber(message.to) });
    return answerFor(attempt, traceId, deps);
  }

  return {
    async sendTestSms(input, origin) {
      const eventOrigin = { ip: origin.ip, userAgent: origin.userAgent, requestId: origin.requestId };
      const context = { userId: input.actorUserId, origin: eventOrigin };
      await reserveInOrder([
        { gate: limits.ip, key: ipLimiterKey(origin.ip), context },
        { gate: limits.admin, key: limiterKey(input.actorUserId), context },
      ]);

      const traceId = randomBytes(16).toString('hex');
      return deliver({ to: input.to, body: composeTestSmsBody({ issuer: deps.issuer, traceId, note: input.note }) }, traceId, {
        kind: 'test',
        actorUserId: input.actorUserId,
        origin,
      });
    },
    async sendAlert(input) {
      if (input.traceId !== undefined && !SAFE_TRACE_ID.test(input.traceId)) {
        throw new AppError('VALIDATION_FAILED', { detail: 'traceId must be 8-64 letters, digits or . _ : -' });
      }
      if (typeof input.body !== 'string' || input.body.trim() === '' || input.body.length > SMS_BODY_MAX_CHARS) {
        throw new AppError('VALIDATION_FAILED', { detail: `body must be 1-${SMS_BODY_MAX_CHARS} characters` });
      }
      const traceId = input.traceId ?? randomBytes(16).toString('hex');
      const origin = { ip: 'host-application', userAgent: undefined, requestId: traceId };
      return deliver({ to: String(input.to), body: input.body }, traceId, { kind: 'alert', actorUserId: null, origin });
    },
  };
}
