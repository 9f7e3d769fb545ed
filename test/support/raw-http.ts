import net from 'node:net';
import { assertConformsToContract } from './openapi-contract';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Sends bytes exactly as given: fetch and node:http refuse CR/LF, NUL or non-ASCII in
 * header values, which is precisely what a hostile client sends.
 */
// 30 s, not 5: an in-process server on a loaded 2-core machine can take seconds to answer, and
// this timer only exists to turn a hung request into a failure.
export async function sendRawRequest(port: number, request: Buffer, timeoutMs = 30_000): Promise<RawResponse> {
  const response = await exchange(port, request, timeoutMs);
  // A closed connection with no answer has nothing to check; every answer is held to the document.
  if (response.status !== 0) {
    const [method, target] = request.toString('latin1').split('\r\n')[0]?.split(' ') ?? [];
    const validLine = method && /^[A-Z]+$/.test(method) && target?.startsWith('/');
    await assertConformsToContract(`http://127.0.0.1:${port}`, validLine ? method : undefined, validLine ? target : undefined, {
      status: response.status,
      header: (name) => response.headers[name],
      text: response.body,
    });
  }
  return response;
}

/** Undoes chunked transfer coding, so the body can be checked as JSON. */
function dechunk(body: string): string {
  let out = '';
  let rest = body;
  for (;;) {
    const lineEnd = rest.indexOf('\r\n');
    const size = parseInt(rest.slice(0, lineEnd), 16);
    if (lineEnd < 0 || !Number.isFinite(size) || size === 0) return out;
    out += rest.slice(lineEnd + 2, lineEnd + 2 + size);
    rest = rest.slice(lineEnd + 2 + size + 2);
  }
}

function exchange(port: number, request: Buffer, timeoutMs: number): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('raw request timed out'));
    }, timeoutMs);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('latin1');
      const [head = '', ...rest] = text.split('\r\n\r\n');
      const [statusLine = '', ...headerLines] = head.split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of headerLines) {
        const index = line.indexOf(':');
        if (index > 0) headers[line.slice(0, index).trim().toLowerCase()] = line.slice(index + 1).trim();
      }
      const raw = rest.join('\r\n\r\n');
      const body = headers['transfer-encoding']?.toLowerCase() === 'chunked' ? dechunk(raw) : raw;
      resolve({ status: Number(statusLine.split(' ')[1] ?? 0), headers, body });
    });
    // No half-close: Node's server drops a response still being computed when the client
    // sends FIN. Requests carry `Connection: close`, so the server closes when done.
    socket.write(request);
  });
}
