import { spawn } from 'node:child_process';
import type { Header } from './evidence';

/**
 * The proof talks to the server with the real curl binary, the way a person would paste the
 * commands: -sS -i, a cookie jar per user, JSON on stdin (so no secret is ever in argv, where
 * `ps` would show it).
 */
export const CURL_PATH = process.env.CURL_PATH ?? '/usr/bin/curl';

export interface CurlRequest {
  method: 'GET' | 'POST' | 'DELETE';
  url: string;
  /** Cookie jar file, read (-b) and written (-c). */
  jarPath?: string | undefined;
  body?: unknown;
}

export interface CurlRun {
  stdout: string;
  stderr: string;
  exitCode: number;
  durationMs: number;
}

export function curlArgs(request: CurlRequest, jarPath = request.jarPath): string[] {
  const args = ['-sS', '-i', '--max-time', '30', '-X', request.method];
  if (jarPath) args.push('-b', jarPath, '-c', jarPath);
  if (request.body !== undefined) args.push('-H', 'content-type: application/json', '--data-binary', '@-');
  args.push(request.url);
  return args;
}

export function runCurl(request: CurlRequest): Promise<CurlRun> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(CURL_PATH, curlArgs(request), { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        exitCode: code ?? -1,
        durationMs: Math.round(performance.now() - started),
      }),
    );
    child.stdin.end(request.body === undefined ? '' : JSON.stringify(request.body));
  });
}

export interface ParsedResponse {
  statusLine: string;
  status: number;
  headers: Header[];
  bodyText: string;
}

/** Splits `curl -i` output into status line, headers and body (skipping interim 1xx answers). */
export function parseCurlResponse(stdout: string): ParsedResponse {
  let rest = stdout;
  for (;;) {
    const end = rest.search(/\r?\n\r?\n/);
    const head = end < 0 ? rest : rest.slice(0, end);
    const separator = end < 0 ? '' : (/\r?\n\r?\n/.exec(rest.slice(end))?.[0] ?? '');
    const body = end < 0 ? '' : rest.slice(end + separator.length);
    const [statusLine = '', ...headerLines] = head.split(/\r?\n/);
    const status = Number(/^HTTP\/[\d.]+ (\d{3})/.exec(statusLine)?.[1] ?? 0);
    if (status >= 100 && status < 200 && body.startsWith('HTTP/')) {
      rest = body;
      continue;
    }
    const headers: Header[] = headerLines
      .filter((line) => line.includes(':'))
      .map((line) => {
        const index = line.indexOf(':');
        return [line.slice(0, index).trim(), line.slice(index + 1).trim()] as const;
      });
    return { statusLine: statusLine.trim(), status, headers, bodyText: body };
  }
}

function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The command as a person would paste it: the jar by its label, the (masked) JSON body as a here-document on stdin. */
export function displayCurlCommand(request: CurlRequest, jarLabel: string | undefined, maskedBody: string | undefined): string {
  const line = [CURL_PATH === '/usr/bin/curl' ? 'curl' : CURL_PATH, ...curlArgs(request, jarLabel)].map(shellQuote).join(' ');
  return maskedBody === undefined ? line : `${line} <<'JSON'\n${maskedBody}\nJSON`;
}
