import type { CheckResult, HttpExchange } from '../evidence';
import { check, checkAll } from './result';
import { describeStatus, jsonObject } from './http';

/** B4: one test SMS through the provider, and the audited usage row that carries its trace_id. */

export function checkSmsAccepted(exchange: HttpExchange): CheckResult {
  const body = jsonObject(exchange);
  const failures: string[] = [];
  if (exchange.status !== 200) failures.push(`status ${describeStatus(exchange)}, expected 200`);
  if (body.ok !== true) failures.push('ok is not true');
  if (typeof body.trace_id !== 'string' || body.trace_id.length === 0) failures.push('no trace_id');
  if (typeof body.provider_message_id !== 'string' || !/^SM[0-9a-f]{32}$/i.test(body.provider_message_id)) {
    failures.push('provider_message_id is not a Twilio message SID (SM + 32 hex)');
  }
  return checkAll(
    'POST /api/alerts/sms/test as an admin answers 200 ok with a trace_id and the provider message SID',
    failures,
    `200 ok, trace_id ${String(body.trace_id)}, provider status ${String(body.status)}`,
  );
}

/** The row selected by trace_id exists once, records a successful Twilio send, and names the provider's message. */
export function checkUsageEventHasTraceId(
  rows: readonly Record<string, unknown>[],
  traceId: string,
  providerMessageId: string | undefined,
): CheckResult {
  const failures: string[] = [];
  if (!traceId) failures.push('the API answer had no trace_id to look up');
  if (rows.length !== 1) failures.push(`${rows.length} rows for the trace_id, expected exactly 1`);
  const row = rows[0];
  if (row) {
    if (row.trace_id !== traceId) failures.push(`row trace_id ${JSON.stringify(row.trace_id ?? null)} differs from the answer's`);
    if (row.integration !== 'twilio') failures.push(`integration ${JSON.stringify(row.integration)}, expected twilio`);
    if (row.status !== 'success') failures.push(`status ${JSON.stringify(row.status)}, expected success`);
    if (providerMessageId !== undefined && row.provider_reference !== providerMessageId) failures.push('provider_reference differs from the answer\'s provider_message_id');
  }
  return checkAll(
    'integration_usage_events holds exactly one row with the answer\'s trace_id: twilio, success, provider_reference = message SID',
    failures,
    `1 row: integration twilio, status success, trace_id ${traceId}`,
  );
}

/** The stored destination is masked; the full number is not in the row. */
export function checkDestinationMasked(row: Record<string, unknown> | undefined, to: string): CheckResult {
  const masked = row?.masked_destination;
  const rowText = JSON.stringify(row ?? {});
  const passed = typeof masked === 'string' && masked.includes('*') && !rowText.includes(to);
  return check('the usage row stores the destination masked, never the full number', passed, `masked_destination ${JSON.stringify(masked ?? null)}`);
}

/** With the fake: the provider really received the message over HTTP (the same SDK path as real keys). */
export function checkProviderReceived(received: ReadonlyArray<{ method: string; path: string; params: Record<string, string>; status: number | 'reset' }>, to: string): CheckResult {
  const sends = received.filter((r) => r.method === 'POST' && /\/Messages\.json$/.test(r.path));
  const accepted = sends.filter((r) => r.params.To === to && r.status === 201);
  return check(
    'the Twilio fake received exactly one Messages.json POST for the destination and answered 201',
    sends.length === 1 && accepted.length === 1,
    `${sends.length} message POST(s), ${accepted.length} accepted for the destination`,
  );
}

/** The refused premium-rate send: 422 SMS_DESTINATION_NOT_ALLOWED with a trace_id, never a 2xx or a 5xx. */
export function checkDestinationRefused(exchange: HttpExchange): CheckResult {
  const body = jsonObject(exchange);
  const failures: string[] = [];
  if (exchange.status !== 422) failures.push(`status ${describeStatus(exchange)}, expected 422`);
  if (body.error_code !== 'SMS_DESTINATION_NOT_ALLOWED') failures.push(`error_code ${JSON.stringify(body.error_code ?? null)}, expected SMS_DESTINATION_NOT_ALLOWED`);
  if (typeof body.trace_id !== 'string' || body.trace_id.length === 0) failures.push('no trace_id');
  return checkAll(
    'a premium-rate destination is refused: 422 SMS_DESTINATION_NOT_ALLOWED with a trace_id',
    failures,
    `422 SMS_DESTINATION_NOT_ALLOWED, reason ${String(body.reason)}, trace_id ${String(body.trace_id)}`,
  );
}

/** The refusal is still an audited attempt: one failed row under its trace_id, no provider reference. */
export function checkRefusalRecorded(rows: readonly Record<string, unknown>[], traceId: string): CheckResult {
  const failures: string[] = [];
  if (!traceId) failures.push('the refusal had no trace_id to look up');
  if (rows.length !== 1) failures.push(`${rows.length} rows for the trace_id, expected exactly 1`);
  const row = rows[0];
  if (row) {
    if (row.status !== 'failed') failures.push(`status ${JSON.stringify(row.status)}, expected failed`);
    if (row.provider_error_code !== 'SMS_DESTINATION_NOT_ALLOWED') failures.push(`provider_error_code ${JSON.stringify(row.provider_error_code)}, expected SMS_DESTINATION_NOT_ALLOWED`);
    if (row.provider_reference !== null) failures.push('a provider reference is recorded, so the provider was called');
  }
  return checkAll(
    'integration_usage_events records the refusal: one failed row with the answer\'s trace_id, provider_error_code SMS_DESTINATION_NOT_ALLOWED, no provider reference',
    failures,
    `1 row: status failed, provider_error_code SMS_DESTINATION_NOT_ALLOWED, trace_id ${traceId}`,
  );
}

/** With the fake: the refused send made no request to the provider at all. */
export function checkProviderUntouched(received: ReadonlyArray<{ method: string; path: string }>): CheckResult {
  return check(
    'the Twilio fake received no request for the refused destination',
    received.length === 0,
    received.length === 0 ? '0 requests' : `${received.length} request(s): ${received.map((r) => `${r.method} ${r.path}`).join(', ')}`,
  );
}
