import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { errors, MAGIC_FROM_NUMBER, MAGIC_TO_NUMBERS, type TwilioErrorBody } from './errors';
import { accountResource, API_VERSION, messageResource, newSid, type StoredMessage } from './resources';
import { signTwilioRequest } from './signature';

/**
 * A Twilio-compatible fake of the two REST operations Proofgate uses (send a message, fetch
 * the account) plus the status callback Twilio makes afterwards. It speaks the contract in
 * spec/twilio_api_v2010.messages.json, so the product runs the real `twilio` SDK against it
 * over HTTP: the same code path as with real keys, with no module mocking.
 *
 * Test-only controls live under /__fake/ on the fake itself, never in the product.
 */
export interface TwilioFakeOptions {
  /** 0 or unset: any free port. */
  port?: number;
  host?: string;
  accountSid: string;
  authToken: string;
  /** API key pairs accepted as HTTP basic credentials, like Twilio's standard API keys. */
  apiKeys?: ReadonlyArray<{ sid: string; secret: string }>;
  /** "From" numbers this account owns, besides Twilio's magic +15005550006. */
  fromNumbers?: readonly string[];
}

/** Faults for failure-path tests; `times` limits how many API requests get it (default: all until cleared). */
export type TwilioFakeFault =
  | { kind: 'delay'; ms: number; times?: number }
  | { kind: 'status'; status: 429 | 500 | 502 | 503; times?: number }
  | { kind: 'reset'; times?: number };

export interface ReceivedRequest {
  at: string;
  method: string;
  path: string;
  /** The basic-auth user name (an account or API key SID); the password is never kept. */
  authUser: string | null;
  contentType: string | null;
  /** Form parameters, exactly as decoded from the body. */
  params: Record<string, string>;
  response: { status: number; body: unknown } | { status: 'reset' };
}

export interface DeliveryResult {
  callbackUrl: string;
  statusCode: number;
}

export interface TwilioFake {
  url: string;
  close(): Promise<void>;
  /** Every POST to Messages.json, accepted or rejected, oldest first. */
  received(): ReceivedRequest[];
  /** Every REST request (messages and account fetches). */
  requests(): ReceivedRequest[];
  clearReceived(): void;
  setFault(fault: TwilioFakeFault | null): void;
  /** Moves a message to `status` and calls its StatusCallback, signed like Twilio. */
  deliver(sid: string, status: string): Promise<DeliveryResult>;
}

const MAX_BODY_BYTES = 64 * 1024;
const E164 = /^\+[1-9]\d{1,14}$/;
const MESSAGING_SERVICE_SID = /^MG[0-9a-fA-F]{32}$/;
const MESSAGES_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/;
const ACCOUNT_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\.json$/;
const DELIVER_PATH = /^\/__fake\/messages\/([^/]+)\/deliver$/;
const FAILED_DELIVERY_STATUSES = new Set(['failed', 'undelivered']);

class HttpAnswer {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {}
}

function twilioAnswer(body: TwilioErrorBody, headers: Record<string, string> = {}): HttpAnswer {
  return new HttpAnswer(body.status, body, headers);
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpAnswer(413, { message: 'body too large' }));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseBasicAuth(header: string | undefined): { user: string; password: string } | undefined {
  const match = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const index = decoded.indexOf(':');
  if (index < 0) return undefined;
  return { user: decoded.slice(0, index), password: decoded.slice(index + 1) };
}

function formParams(raw: string): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(raw)) params[key] = value;
  return params;
}

export async function startTwilioFake(options: TwilioFakeOptions): Promise<TwilioFake> {
  const credentials = new Map<string, string>([[options.accountSid, options.authToken]]);
  for (const key of options.apiKeys ?? []) credentials.set(key.sid, key.secret);
  const fromNumbers = new Set([MAGIC_FROM_NUMBER, ...(options.fromNumbers ?? [])]);
  const created = new Date();
  const log: ReceivedRequest[] = [];
  const messages = new Map<string, StoredMessage>();
  const timers = new Set<NodeJS.Timeout>();
  let fault: (TwilioFakeFault & { remaining: number }) | null = null;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  function takeFault(): TwilioFakeFault | null {
    if (!fault) return null;
    const current = fault;
    current.remaining -= 1;
    if (current.remaining <= 0) fault = null;
    return current;
  }

  function authenticate(req: IncomingMessage): string | HttpAnswer {
    const auth = parseBasicAuth(req.headers.authorization);
    const expected = auth ? credentials.get(auth.user) : undefined;
    if (!auth || expected === undefined || !sameSecret(auth.password, expected)) {
      return twilioAnswer(errors.authenticate(), { 'WWW-Authenticate': 'Basic realm="Twilio API"' });
    }
    return auth.user;
  }

  function createMessage(accountSid: string, params: Record<string, string>): HttpAnswer {
    const to = params.To;
    const from = params.From;
    const serviceSid = params.MessagingServiceSid;
    const body = params.Body;
    if (!to) return twilioAnswer(errors.toRequired());
    if (!from && !serviceSid) return twilioAnswer(errors.senderRequired());
    if (body === undefined || body === '') return twilioAnswer(errors.bodyRequired());
    if ([...body].length > 1600) return twilioAnswer(errors.bodyTooLong());
    if (!E164.test(to)) return twilioAnswer(errors.invalidTo());
    const magic = MAGIC_TO_NUMBERS[to];
    if (magic) return twilioAnswer(magic);
    if (from !== undefined && !fromNumbers.has(from)) return twilioAnswer(errors.fromNotOwned());
    if (serviceSid !== undefined && !MESSAGING_SERVICE_SID.test(serviceSid)) return twilioAnswer(errors.invalidMessagingService());
    if (params.StatusCallback !== undefined && !URL.canParse(params.StatusCallback)) return twilioAnswer(errors.invalidStatusCallback());
    const now = new Date();
    const message: StoredMessage = {
      sid: newSid('SM'),
      accountSid,
      to,
      from: from ?? null,
      messagingServiceSid: serviceSid ?? null,
      body,
      status: 'queued',
      statusCallback: params.StatusCallback ?? null,
      dateCreated: now,
      dateUpdated: now,
    };
    messages.set(message.sid, message);
    return new HttpAnswer(201, messageResource(message));
  }

  function route(req: IncomingMessage, path: string, params: Record<string, string>): HttpAnswer {
    const user = authenticate(req);
    if (user instanceof HttpAnswer) return user;
    const messagesMatch = MESSAGES_PATH.exec(path);
    const accountMatch = ACCOUNT_PATH.exec(path);
    const accountSid = messagesMatch?.[1] ?? accountMatch?.[1];
    // Credentials are valid, but for another account than the one in the path.
    if (!accountSid || accountSid !== options.accountSid) return twilioAnswer(errors.notFound(path));
    if (messagesMatch && req.method === 'POST') return createMessage(accountSid, params);
    if (accountMatch && req.method === 'GET') return new HttpAnswer(200, accountResource(accountSid, created));
    return twilioAnswer(errors.notFound(path));
  }

  async function deliver(sid: string, status: string): Promise<DeliveryResult> {
    const message = messages.get(sid);
    if (!message) throw new HttpAnswer(404, { message: `no message ${sid}` });
    if (!message.statusCallback) throw new HttpAnswer(409, { message: `message ${sid} has no StatusCallback` });
    message.status = status;
    message.dateUpdated = new Date();
    const params: Record<string, string> = {
      AccountSid: message.accountSid,
      ApiVersion: API_VERSION,
      MessageSid: message.sid,
      MessageStatus: status,
      SmsSid: message.sid,
      SmsStatus: status,
      To: message.to,
      ...(message.from ? { From: message.from } : {}),
      ...(message.messagingServiceSid ? { MessagingServiceSid: message.messagingServiceSid } : {}),
      ...(FAILED_DELIVERY_STATUSES.has(status) ? { ErrorCode: '30003' } : {}),
    };
    const response = await fetch(message.statusCallback, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': signTwilioRequest(options.authToken, message.statusCallback, params),
        'user-agent': 'TwilioProxy/1.1',
      },
      body: new URLSearchParams(params).toString(),
    });
    await response.arrayBuffer();
    return { callbackUrl: message.statusCallback, statusCode: response.status };
  }

  async function control(req: IncomingMessage, path: string, raw: string): Promise<HttpAnswer> {
    const json = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    if (path === '/__fake/messages' && req.method === 'GET') return new HttpAnswer(200, { messages: received() });
    if (path === '/__fake/messages' && req.method === 'DELETE') {
      clearReceived();
      return new HttpAnswer(204, undefined);
    }
    if (path === '/__fake/faults' && req.method === 'POST') {
      const valid =
        (json.kind === 'delay' && typeof json.ms === 'number') ||
        (json.kind === 'status' && [429, 500, 502, 503].includes(json.status as number)) ||
        json.kind === 'reset';
      if (!valid) return new HttpAnswer(400, { message: 'send {kind: "delay", ms} | {kind: "status", status: 429|500|502|503} | {kind: "reset"}, optional times' });
      setFault(json as unknown as TwilioFakeFault);
      return new HttpAnswer(200, { fault: json });
    }
    if (path === '/__fake/faults' && req.method === 'DELETE') {
      setFault(null);
      return new HttpAnswer(204, undefined);
    }
    const deliverMatch = DELIVER_PATH.exec(path);
    if (deliverMatch && req.method === 'POST') {
      const result = await deliver(deliverMatch[1]!, String(json.status ?? 'delivered'));
      return new HttpAnswer(200, { callback_url: result.callbackUrl, status_code: result.statusCode });
    }
    return new HttpAnswer(404, { message: 'no such control endpoint' });
  }

  function send(res: ServerResponse, answer: HttpAnswer) {
    if (res.destroyed) return;
    for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
    if (answer.body === undefined) {
      res.writeHead(answer.status).end();
      return;
    }
    res.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(answer.body));
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const path = new URL(req.url ?? '/', 'http://fake').pathname;
    let raw: string;
    try {
      raw = await readBody(req);
    } catch (error) {
      send(res, error instanceof HttpAnswer ? error : new HttpAnswer(400, { message: 'unreadable body' }));
      return;
    }
    if (path.startsWith('/__fake/')) {
      try {
        send(res, await control(req, path, raw));
      } catch (error) {
        send(res, error instanceof HttpAnswer ? error : new HttpAnswer(400, { message: (error as Error).message }));
      }
      return;
    }

    const contentType = req.headers['content-type'] ?? null;
    const params = req.method === 'POST' ? formParams(raw) : {};
    const entry: ReceivedRequest = {
      at: new Date().toISOString(),
      method: req.method ?? 'GET',
      path,
      authUser: parseBasicAuth(req.headers.authorization)?.user ?? null,
      contentType,
      params,
      response: { status: 0, body: null },
    };
    log.push(entry);

    const injected = takeFault();
    if (injected?.kind === 'reset') {
      entry.response = { status: 'reset' };
      req.socket.destroy();
      return;
    }
    let answer: HttpAnswer;
    if (injected?.kind === 'status') {
      const bodies = { 429: errors.tooManyRequests(), 500: errors.internal(), 502: errors.internal(), 503: errors.serviceUnavailable() };
      answer = new HttpAnswer(injected.status, { ...bodies[injected.status], status: injected.status });
    } else if (req.method === 'POST' && contentType?.split(';')[0]?.trim() !== 'application/x-www-form-urlencoded') {
      answer = twilioAnswer({ ...errors.bodyRequired(), message: 'Requests must be application/x-www-form-urlencoded.' });
    } else {
      answer = route(req, path, params);
    }
    entry.response = { status: answer.status, body: answer.body };
    // The request is processed on arrival and only the answer is late, as when Twilio accepts a
    // message but the client gives up waiting: a timed-out send may still have been sent.
    if (injected?.kind === 'delay') await sleep(injected.ms);
    send(res, answer);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => send(res, new HttpAnswer(500, errors.internal())));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  const received = () => log.filter((r) => r.method === 'POST' && MESSAGES_PATH.test(r.path)).map((r) => structuredClone(r));
  const clearReceived = () => {
    log.length = 0;
  };
  const setFault = (next: TwilioFakeFault | null) => {
    fault = next ? { ...next, remaining: next.times ?? Number.POSITIVE_INFINITY } : null;
  };

  return {
    url: `http://${host}:${address.port}`,
    received,
    requests: () => log.map((r) => structuredClone(r)),
    clearReceived,
    setFault,
    deliver,
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
