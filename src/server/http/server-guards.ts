import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { errorCatalog, type ErrorCode } from '../core/error-codes';
import { PROBLEM_CONTENT_TYPE, problemTypeFor } from './problem';

/**
 * Requests Node's HTTP parser rejects (CR/LF or NUL in a header, oversized headers, garbage
 * request lines) never reach Express; Node would answer a bare `400 Bad Request`. This gives
 * them the same problem+json shape and X-Request-Id as every other refusal.
 */
function codeForParserError(error: NodeJS.ErrnoException): ErrorCode {
  if (error.code === 'HPE_HEADER_OVERFLOW') return 'HEADERS_TOO_LARGE';
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return 'REQUEST_TIMEOUT';
  return 'MALFORMED_REQUEST';
}

export function attachServerGuards(server: Server): void {
  // Slow-loris bounds: the whole request must arrive within 30 s, its headers within 20 s.
  server.requestTimeout = 30_000;
  server.headersTimeout = 20_000;
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (!socket.writable || error.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    const code = codeForParserError(error);
    const { status, title } = errorCatalog[code];
    const requestId = randomUUID();
    // The parser refused the request before its path could be read: the occurrence is named by
    // its request id instead, so `instance` stays the URI reference RFC 9457 and the document say.
    const instance = `urn:uuid:${requestId}`;
    const body = JSON.stringify({ type: problemTypeFor(code), title, status, instance, error_code: code, request_id: requestId });
    socket.end(
      `HTTP/1.1 ${status} ${title}\r\n` +
        `Content-Type: ${PROBLEM_CONTENT_TYPE}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Request-Id: ${requestId}\r\n` +
        'Cache-Control: no-store\r\n' +
        'Connection: close\r\n\r\n' +
        body,
    );
  });
}
