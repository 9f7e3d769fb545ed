import path from 'node:path';
import type { DatabaseHandle } from '../../src/server/db/client';
import { isClearing, jsonObject, setCookies } from './checks/http';
import { parseCurlResponse, runCurl, type CurlRequest } from './curl';
import type { HttpExchange, SqlEvidence } from './evidence';
import type { SecretRegistry } from './redact';

/**
 * Runs curl and SQL for the flows and keeps every exchange, unmasked, in memory. Anything
 * secret it sees going out or coming back is recorded in the registry before a byte is
 * written, so the writer can mask it and the final scan can look for it.
 */
export class Recorder {
  readonly exchanges: HttpExchange[] = [];
  readonly sqlRuns: SqlEvidence[] = [];

  constructor(
    readonly secrets: SecretRegistry,
    private readonly jarsDir: string,
  ) {}

  async http(
    id: string,
    title: string,
    request: { baseUrl: string; method: 'GET' | 'POST' | 'DELETE'; path: string; jar?: string; body?: unknown; note?: string },
  ): Promise<HttpExchange> {
    this.recordOutgoingSecrets(id, request.body);
    const curlRequest: CurlRequest = {
      method: request.method,
      url: `${request.baseUrl}${request.path}`,
      jarPath: request.jar ? path.join(this.jarsDir, `${request.jar}.jar`) : undefined,
      body: request.body,
    };
    const startedAt = new Date().toISOString();
    const run = await runCurl(curlRequest);
    const parsed = parseCurlResponse(run.stdout);
    let json: unknown;
    try {
      json = parsed.bodyText.length > 0 ? JSON.parse(parsed.bodyText) : undefined;
    } catch {
      json = undefined;
    }
    const exchange: HttpExchange = {
      id,
      title,
      method: request.method,
      url: curlRequest.url,
      jar: request.jar ? `${request.jar}.jar` : undefined,
      requestBody: request.body,
      statusLine: parsed.statusLine,
      status: parsed.status,
      headers: parsed.headers,
      bodyText: parsed.bodyText,
      json,
      curlExitCode: run.exitCode,
      curlStderr: run.stderr,
      startedAt,
      durationMs: run.durationMs,
      ...(request.note ? { note: request.note } : {}),
    };
    this.recordIncomingSecrets(exchange);
    this.exchanges.push(exchange);
    return exchange;
  }

  async sql(database: DatabaseHandle, id: string, title: string, sql: string, params: unknown[] = []): Promise<SqlEvidence> {
    let evidence: SqlEvidence;
    try {
      const rows = await database.query<Record<string, unknown>>(sql, params);
      evidence = { id, title, sql, params, rows };
    } catch (error) {
      evidence = { id, title, sql, params, rows: [], error: (error as Error).message };
    }
    this.sqlRuns.push(evidence);
    return evidence;
  }

  private recordOutgoingSecrets(id: string, body: unknown): void {
    const fields = body !== null && typeof body === 'object' ? (body as Record<string, unknown>) : {};
    const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
    this.secrets.add('password', `password sent in ${id}`, text(fields.password));
    this.secrets.add('password', `new password sent in ${id}`, text(fields.new_password));
    this.secrets.add('reset_token', `reset token sent in ${id}`, text(fields.token));
    this.secrets.add('totp_code', `TOTP code sent in ${id}`, text(fields.code));
    this.secrets.add('backup_code', `backup code sent in ${id}`, text(fields.backup_code));
    this.secrets.add('temp_token', `temp token sent in ${id}`, text(fields.temp_token));
  }

  private recordIncomingSecrets(exchange: HttpExchange): void {
    for (const cookie of setCookies(exchange)) {
      if (!isClearing(cookie)) this.secrets.add('cookie', `${cookie.name} cookie set by ${exchange.id}`, cookie.value);
    }
    const body = jsonObject(exchange);
    if (typeof body.temp_token === 'string') this.secrets.add('temp_token', `temp token from ${exchange.id}`, body.temp_token);
    if (typeof body.secret === 'string') this.secrets.add('totp_secret', `TOTP secret from ${exchange.id}`, body.secret);
    if (Array.isArray(body.backup_codes)) {
      body.backup_codes.forEach((code, i) => {
        if (typeof code === 'string') this.secrets.add('backup_code', `backup code ${i + 1} from ${exchange.id}`, code);
      });
    }
  }
}
