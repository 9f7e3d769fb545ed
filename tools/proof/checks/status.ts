import type { CheckResult, HttpExchange } from '../evidence';
import { check, checkAll } from './result';
import { describeStatus, jsonObject } from './http';

/** B5: the integrations control plane and system status, read through the admin API. */

export interface IntegrationView {
  configured?: unknown;
  connected?: unknown;
  last_used_at?: unknown;
  proof_of_use_count_24h?: unknown;
}

export function twilioIntegration(exchange: HttpExchange): IntegrationView | undefined {
  const list = jsonObject(exchange).integrations;
  if (!Array.isArray(list)) return undefined;
  return list.find((i): i is IntegrationView & { name: string } => typeof i === 'object' && i !== null && (i as { name?: unknown }).name === 'twilio');
}

export function checkIntegrationNotConfigured(exchange: HttpExchange): CheckResult {
  const twilio = twilioIntegration(exchange);
  return check(
    'without Twilio keys, /api/integrations/status says twilio configured:false, connected:false',
    exchange.status === 200 && twilio?.configured === false && twilio.connected === false,
    twilio ? `${describeStatus(exchange)}, configured:${String(twilio.configured)}, connected:${String(twilio.connected)}` : `${describeStatus(exchange)}, no twilio entry`,
  );
}

export function checkIntegrationConnected(exchange: HttpExchange): CheckResult {
  const twilio = twilioIntegration(exchange);
  return check(
    'with keys, /api/integrations/status says twilio configured:true, connected:true',
    exchange.status === 200 && twilio?.configured === true && twilio.connected === true,
    twilio ? `${describeStatus(exchange)}, configured:${String(twilio.configured)}, connected:${String(twilio.connected)}` : `${describeStatus(exchange)}, no twilio entry`,
  );
}

/** proof_of_use_count_24h moved by exactly one send, and last_used_at changed to a time. */
export function checkCountIncremented(before: HttpExchange, after: HttpExchange): CheckResult {
  const a = twilioIntegration(before);
  const b = twilioIntegration(after);
  const failures: string[] = [];
  if (!a || !b) failures.push('no twilio entry before or after');
  const countBefore = a?.proof_of_use_count_24h;
  const countAfter = b?.proof_of_use_count_24h;
  if (typeof countBefore !== 'number' || typeof countAfter !== 'number') failures.push('proof_of_use_count_24h missing');
  else if (countAfter !== countBefore + 1) failures.push(`proof_of_use_count_24h went ${countBefore} → ${countAfter}, expected +1`);
  return checkAll('proof_of_use_count_24h increments by one after the send', failures, `proof_of_use_count_24h ${String(countBefore)} → ${String(countAfter)}`);
}

export function checkLastUsedChanged(before: HttpExchange, after: HttpExchange): CheckResult {
  const a = twilioIntegration(before)?.last_used_at;
  const b = twilioIntegration(after)?.last_used_at;
  const passed = typeof b === 'string' && !Number.isNaN(Date.parse(b)) && b !== a;
  return check('last_used_at changes from its previous value to the time of the send', passed, `last_used_at ${JSON.stringify(a ?? null)} → ${JSON.stringify(b ?? null)}`);
}

function blockerCodes(exchange: HttpExchange): string[] {
  const blockers = jsonObject(exchange).blockers;
  return Array.isArray(blockers) ? blockers.map((b) => String((b as { code?: unknown }).code)) : [];
}

export function checkBlockersPresent(exchange: HttpExchange, codes: readonly string[]): CheckResult {
  const present = blockerCodes(exchange);
  const missing = codes.filter((c) => !present.includes(c));
  const failures: string[] = [];
  if (exchange.status !== 200) failures.push(`status ${describeStatus(exchange)}, expected 200`);
  if (missing.length > 0) failures.push(`missing blocker(s): ${missing.join(', ')}`);
  if (jsonObject(exchange).status === 'ok') failures.push('overall status is ok despite blockers');
  return checkAll(
    `without Twilio keys and APP_ENC_KEY, /api/system/status lists ${codes.join(' and ')}`,
    failures,
    `status ${String(jsonObject(exchange).status)}, blockers: ${present.join(', ') || '(none)'}`,
  );
}

export function checkBlockersRemoved(exchange: HttpExchange, codes: readonly string[]): CheckResult {
  const present = blockerCodes(exchange);
  const failures: string[] = [];
  if (exchange.status !== 200) failures.push(`status ${describeStatus(exchange)}, expected 200`);
  const still = codes.filter((c) => present.includes(c));
  if (still.length > 0) failures.push(`still listed: ${still.join(', ')}`);
  if (jsonObject(exchange).status !== 'ok' || present.length > 0) failures.push(`status ${String(jsonObject(exchange).status)} with blockers ${present.join(', ') || '(none)'}, expected ok with none`);
  return checkAll(
    `with Twilio keys and APP_ENC_KEY set, /api/system/status is ok with no blockers (${codes.join(', ')} gone)`,
    failures,
    'status ok, blockers: (none)',
  );
}
