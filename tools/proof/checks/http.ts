import type { CheckResult, HttpExchange } from '../evidence';
import { checkAll } from './result';

/** Small readers over a recorded exchange; header names compare case-insensitively. */

export function headerValues(exchange: Pick<HttpExchange, 'headers'>, name: string): string[] {
  const wanted = name.toLowerCase();
  return exchange.headers.filter(([n]) => n.toLowerCase() === wanted).map(([, v]) => v);
}

export function headerValue(exchange: Pick<HttpExchange, 'headers'>, name: string): string | undefined {
  return headerValues(exchange, name)[0];
}

export function jsonObject(exchange: Pick<HttpExchange, 'json'>): Record<string, unknown> {
  const body = exchange.json;
  return body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}

export interface ParsedSetCookie {
  name: string;
  value: string;
  attributes: string[];
}

export function parseSetCookie(line: string): ParsedSetCookie {
  const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
  const index = pair.indexOf('=');
  return { name: index < 0 ? pair : pair.slice(0, index), value: index < 0 ? '' : pair.slice(index + 1), attributes };
}

export function setCookies(exchange: Pick<HttpExchange, 'headers'>): ParsedSetCookie[] {
  return headerValues(exchange, 'set-cookie').map(parseSetCookie);
}

/** A cookie that is set (not cleared): a value and no expiry in the past. */
export function isClearing(cookie: ParsedSetCookie): boolean {
  return cookie.value === '' || cookie.attributes.some((a) => /^expires=.*1970/i.test(a) || /^max-age=0$/i.test(a));
}

export const SESSION_COOKIE_NAMES = ['proofgate_session', '__Host-proofgate_session'];

export function sessionCookieSet(exchange: Pick<HttpExchange, 'headers'>): ParsedSetCookie | undefined {
  return setCookies(exchange).find((c) => SESSION_COOKIE_NAMES.includes(c.name) && !isClearing(c));
}

export function describeStatus(exchange: Pick<HttpExchange, 'status' | 'json'>): string {
  const code = jsonObject(exchange).error_code;
  return typeof code === 'string' ? `${exchange.status} ${code}` : String(exchange.status);
}

export function isProblemJson(exchange: Pick<HttpExchange, 'headers'>): boolean {
  return /^application\/problem\+json/i.test(headerValue(exchange, 'content-type') ?? '');
}

/** A refusal as the HTTP contract promises: status, problem+json, the stable error_code, and no cookie handed out. */
export function checkRefusal(exchange: HttpExchange, expectation: string, status: number, errorCodes: readonly string[]): CheckResult {
  const body = jsonObject(exchange);
  const failures: string[] = [];
  if (exchange.status !== status) failures.push(`status ${exchange.status}, expected ${status}`);
  if (!isProblemJson(exchange)) failures.push(`Content-Type ${headerValue(exchange, 'content-type') ?? '(none)'}, expected application/problem+json`);
  if (typeof body.error_code !== 'string' || !errorCodes.includes(body.error_code)) {
    failures.push(`error_code ${JSON.stringify(body.error_code)}, expected ${errorCodes.join(' or ')}`);
  }
  if (sessionCookieSet(exchange)) failures.push('a session cookie was set on a refusal');
  return checkAll(expectation, failures, `${describeStatus(exchange)}, problem+json, no session cookie`);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Every response carries X-Request-Id, and curl itself succeeded for every request. */
export function checkEveryResponseHasRequestId(exchanges: readonly HttpExchange[]): CheckResult {
  const failures: string[] = [];
  for (const exchange of exchanges) {
    if (exchange.curlExitCode !== 0) failures.push(`${exchange.id}: curl exited ${exchange.curlExitCode}`);
    const id = headerValue(exchange, 'x-request-id');
    if (!id || !UUID.test(id)) failures.push(`${exchange.id}: X-Request-Id ${id === undefined ? 'missing' : 'not a UUID'}`);
  }
  if (exchanges.length === 0) failures.push('no exchanges recorded');
  return checkAll('every response carries an X-Request-Id (UUID) and every curl command exited 0', failures, `${exchanges.length} responses`);
}
