import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { mailboxPage, messagePage } from './pages';

/**
 * A local SMTP server that keeps every message it accepts and shows them on a small web page
 * and a JSON API. Proofgate sends to it with nodemailer over real SMTP (only SMTP_URL differs
 * from a production relay), so tests and the proof exercise the product's own code path.
 *
 * No TLS (STARTTLS is not offered, so the client sends in clear on loopback); with `user` and
 * `password` set, AUTH PLAIN/LOGIN is required and checked, like a relay.
 */
export interface SmtpFakeOptions {
  host?: string;
  /** 0 or unset: any free port. */
  smtpPort?: number;
  webPort?: number;
  user?: string;
  password?: string;
}

export interface FakeMail {
  id: string;
  receivedAt: string;
  /** The envelope (MAIL FROM / RCPT TO), as the relay saw it. */
  envelopeFrom: string;
  envelopeTo: string[];
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** The message exactly as it arrived (headers and MIME parts), for "no secret anywhere" checks. */
  raw: string;
}

export interface SmtpFake {
  /** SMTP_URL for Proofgate (credentials included when the fake requires them). */
  smtpUrl: string;
  /** The mailbox page; GET {webUrl}/messages is the JSON API. */
  webUrl: string;
  messages(): FakeMail[];
  clear(): void;
  /** The next `count` messages are refused at DATA with `responseCode` (default 451: try later). */
  failNext(count: number, responseCode?: number): void;
  close(): Promise<void>;
}

const MAX_MESSAGE_BYTES = 1024 * 1024;

function same(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function send(res: ServerResponse, status: number, body: string, type: string, extra: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...extra });
  res.end(body);
}

function listen(server: { listen(port: number, host: string, cb: () => void): unknown; once(event: 'error', cb: (e: Error) => void): unknown }, port: number, host: string) {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
}

export async function startSmtpFake(options: SmtpFakeOptions = {}): Promise<SmtpFake> {
  const host = options.host ?? '127.0.0.1';
  const stored: FakeMail[] = [];
  let failures: { remaining: number; responseCode: number } = { remaining: 0, responseCode: 451 };
  let counter = 0;
  const requireAuth = options.user !== undefined && options.password !== undefined;

  const smtp = new SMTPServer({
    logger: false,
    banner: 'Proofgate SMTP fake',
    size: MAX_MESSAGE_BYTES,
    disabledCommands: requireAuth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    authOptional: !requireAuth,
    allowInsecureAuth: true,
    onAuth(auth, _session, callback) {
      if (requireAuth && same(auth.username ?? '', options.user!) && same(auth.password ?? '', options.password!)) return callback(null, { user: auth.username });
      callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (failures.remaining > 0) {
          failures.remaining -= 1;
          return callback(Object.assign(new Error('Fake relay: try again later'), { responseCode: failures.responseCode }));
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        simpleParser(raw)
          .then((parsed) => {
            counter += 1;
            const address = (value: unknown) => (value && typeof value === 'object' && 'text' in value ? String((value as { text: unknown }).text) : '');
            stored.push({
              id: String(counter),
              receivedAt: new Date().toISOString(),
              envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              envelopeTo: session.envelope.rcptTo.map((r) => r.address),
              from: address(parsed.from),
              to: address(parsed.to),
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
              html: typeof parsed.html === 'string' ? parsed.html : '',
              raw,
            });
            callback(null, 'Queued by the fake');
          })
          .catch((error: unknown) => callback(error instanceof Error ? error : new Error('unparseable message')));
      });
    },
  });
  smtp.on('error', () => undefined);
  await listen(smtp, options.smtpPort ?? 0, host);
  const smtpPort = (smtp.server.address() as AddressInfo).port;

  const web = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const view = (m: FakeMail) => ({ id: m.id, received_at: m.receivedAt, from: m.from, to: m.to, envelope_to: m.envelopeTo, subject: m.subject, text: m.text, html: m.html });
    const match = /^\/messages\/(\d+)(?:\/(raw|html))?$/.exec(url.pathname);
    if (url.pathname === '/favicon.ico') return send(res, 204, '', 'image/x-icon');
    if (req.method === 'GET' && url.pathname === '/') return send(res, 200, mailboxPage(stored), 'text/html; charset=utf-8');
    if (req.method === 'GET' && url.pathname === '/messages') return send(res, 200, JSON.stringify({ messages: stored.map(view) }), 'application/json');
    if (req.method === 'DELETE' && url.pathname === '/messages') {
      stored.length = 0;
      return send(res, 204, '', 'text/plain');
    }
    const message = match && req.method === 'GET' ? stored.find((m) => m.id === match[1]) : undefined;
    if (message && match?.[2] === 'raw') return send(res, 200, message.raw, 'text/plain; charset=utf-8');
    // The message's own HTML, sandboxed: no script runs, and only a click may leave the page.
    if (message && match?.[2] === 'html')
      return send(res, 200, message.html, 'text/html; charset=utf-8', { 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; sandbox allow-top-navigation-by-user-activation" });
    if (message) return send(res, 200, messagePage(message), 'text/html; charset=utf-8');
    send(res, 404, JSON.stringify({ error: 'not found' }), 'application/json');
  });
  await listen(web, options.webPort ?? 0, host);
  const webPort = (web.address() as AddressInfo).port;

  const credentials = requireAuth ? `${encodeURIComponent(options.user!)}:${encodeURIComponent(options.password!)}@` : '';
  return {
    smtpUrl: `smtp://${credentials}${host}:${smtpPort}`,
    webUrl: `http://${host}:${webPort}`,
    messages: () => [...stored],
    clear() {
      stored.length = 0;
    },
    failNext(count, responseCode = 451) {
      failures = { remaining: count, responseCode };
    },
    async close() {
      web.closeAllConnections();
      await Promise.all([new Promise<void>((resolve) => smtp.close(() => resolve())), new Promise<void>((resolve) => web.close(() => resolve()))]);
    },
  };
}
