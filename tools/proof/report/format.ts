import { displayCurlCommand } from '../curl';
import type { HttpExchange, SqlEvidence } from '../evidence';
import { maskHeader, maskJsonSecrets, type SecretRegistry } from '../redact';

/** Exchanges and SQL results as text a person would paste, with every secret masked. */

const RELEVANT_HEADERS = ['content-type', 'set-cookie', 'retry-after', 'x-request-id'];

function formatBody(exchange: HttpExchange): string {
  if (exchange.json !== undefined) return JSON.stringify(maskJsonSecrets(exchange.json), null, 2);
  return exchange.bodyText.trim();
}

/**
 * `relevant`: status line, Content-Type, Set-Cookie (or "(none)"), Retry-After, X-Request-Id.
 * `full`: every header curl printed.
 */
export function formatExchange(exchange: HttpExchange, secrets: SecretRegistry, mode: 'relevant' | 'full'): string {
  const requestBody = exchange.requestBody === undefined ? undefined : JSON.stringify(maskJsonSecrets(exchange.requestBody));
  const command = displayCurlCommand({ method: exchange.method as 'GET' | 'POST', url: exchange.url, body: exchange.requestBody }, exchange.jar, requestBody);
  const headers = mode === 'full' ? exchange.headers : exchange.headers.filter(([name]) => RELEVANT_HEADERS.includes(name.toLowerCase()));
  const lines = [`$ ${command}`, exchange.statusLine || `(no HTTP answer; curl exit ${exchange.curlExitCode})`];
  for (const [name, value] of headers) lines.push(`${name}: ${maskHeader(name, value)}`);
  if (mode === 'relevant' && !exchange.headers.some(([name]) => name.toLowerCase() === 'set-cookie')) lines.push('Set-Cookie: (none)');
  const body = formatBody(exchange);
  if (body) lines.push('', body);
  if (exchange.curlExitCode !== 0) lines.push('', `curl exit code ${exchange.curlExitCode}: ${exchange.curlStderr.trim()}`);
  return secrets.redactText(lines.join('\n'));
}

function formatValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** psql's aligned table for narrow rows; its expanded form (\\x) when a value is long (ciphertexts, hashes). */
const ALIGNED_MAX_VALUE_LENGTH = 40;

function formatRows(rows: readonly Record<string, unknown>[]): string[] {
  const keys = Object.keys(rows[0] ?? {});
  const cells = rows.map((row) => keys.map((k) => formatValue(row[k])));
  if (cells.every((row) => row.every((c) => c.length <= ALIGNED_MAX_VALUE_LENGTH))) {
    const widths = keys.map((k, i) => Math.max(k.length, ...cells.map((row) => row[i]!.length)));
    const line = (values: string[]) => ` ${values.map((v, i) => v.padEnd(widths[i]!)).join(' | ')}`.trimEnd();
    return [line(keys), `-${widths.map((w) => '-'.repeat(w)).join('-+-')}-`, ...cells.map(line)];
  }
  const width = Math.max(...keys.map((k) => k.length));
  return cells.flatMap((row, index) => [`-[ RECORD ${index + 1} ]`, ...keys.map((k, i) => `${k.padEnd(width)} | ${row[i]}`)]);
}

export function formatSql(evidence: SqlEvidence, secrets: SecretRegistry): string {
  const lines = [`-- ${evidence.title}`, '-- run through proofgate.database.query on the live server\'s database', `${evidence.sql};`];
  evidence.params.forEach((p, i) => lines.push(`-- $${i + 1} = ${formatValue(p)}`));
  lines.push('');
  if (evidence.error) lines.push(`ERROR: ${evidence.error}`);
  else if (evidence.rows.length === 0) lines.push('(0 rows)');
  else lines.push(...formatRows(evidence.rows), `(${evidence.rows.length} row${evidence.rows.length === 1 ? '' : 's'})`);
  return secrets.redactText(lines.join('\n'));
}
