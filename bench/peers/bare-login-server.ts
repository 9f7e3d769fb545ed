import http from 'node:http';

/**
 * What the bench's bare login servers share (the hash-only server and the login service): Node's
 * own HTTP server with `GET /healthz` and a few `POST` sign-in paths, a JSON body of at most
 * 16 KiB read whole, and JSON answers. Each server says only what each path does with the body.
 */

const MAX_BODY_BYTES = 16 * 1024;

export function answer(res: http.ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}

/** The parsed body as an object, or undefined when it is not JSON or not an object. */
function parseObject(raw: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(raw);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Answers one sign-in request, given its JSON object. */
export type BareHandler = (body: Record<string, unknown>, req: http.IncomingMessage, res: http.ServerResponse) => void;

/**
 * Starts the server: `posts[path]` gets the JSON object of each `POST path` and answers it; a
 * body that is not a JSON object is answered 400 VALIDATION_FAILED, any other request 404.
 * Stops on SIGTERM after `onClose`.
 */
export function serveBareLogin(options: {
  posts: Record<string, BareHandler>;
  describe: string;
  defaultPort: number;
  onClose?: () => Promise<void>;
}): void {
  const host = process.env.HOST ?? '127.0.0.1';
  const port = Number(process.env.PORT ?? options.defaultPort);
  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/healthz') return answer(res, 200, { ok: true });
    const handle = req.method === 'POST' && req.url && Object.hasOwn(options.posts, req.url) ? options.posts[req.url] : undefined;
    if (!handle) return answer(res, 404, { error_code: 'NOT_FOUND' });
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) req.destroy();
      else chunks.push(chunk);
    });
    req.on('end', () => {
      const body = parseObject(Buffer.concat(chunks).toString('utf8'));
      if (!body) return answer(res, 400, { error_code: 'VALIDATION_FAILED' });
      handle(body, req, res);
    });
  });
  server.listen(port, host, () => console.error(`${options.describe} on http://${host}:${port}`));
  process.on('SIGTERM', () => server.close(() => void (options.onClose?.() ?? Promise.resolve()).finally(() => process.exit(0))));
}
