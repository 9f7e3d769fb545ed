import { execFile } from 'node:child_process';
import http from 'node:http';
import { promisify } from 'node:util';
import type { AddressInfo } from 'node:net';
import express, { type Express } from 'express';
import { afterEach, describe, expect, it } from 'vitest';
// From the package's entry: hosts import it from 'proofgate'.
import { createExpressServer } from '../../src/server/index';

/**
 * createExpressServer: requests and responses are born with the app's prototypes, so Express's
 * per-request Object.setPrototypeOf has nothing left to change — and everything else about
 * them (Node's classes, Express's methods, bodies, headers, keep-alive) stays as it was.
 */

const servers: http.Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

async function listen(server: http.Server): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Records, for every request, its prototypes as the server made them (before Express saw it). */
function watchPrototypes(server: http.Server, app: Express) {
  const seen: Array<{ request: boolean; response: boolean }> = [];
  server.prependListener('request', (req, res) => {
    seen.push({ request: Object.getPrototypeOf(req) === app.request, response: Object.getPrototypeOf(res) === app.response });
  });
  return seen;
}

function appWithRoutes(): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json());
  app.get('/facts', (req, res) => {
    res.setHeader('X-Custom', 'yes');
    res.json({
      isIncomingMessage: req instanceof http.IncomingMessage,
      isServerResponse: res instanceof http.ServerResponse,
      appIsOwn: req.app === app && res.app === app,
      header: req.get('x-probe') ?? null,
      path: req.path,
      query: req.query,
    });
  });
  app.post('/echo', (req, res) => {
    res.status(201).cookie('c', 'v', { httpOnly: true }).json({ body: req.body as unknown });
  });
  return app;
}

describe('createExpressServer', () => {
  it("creates each request and response with the app's own prototypes; a plain server does not", async () => {
    const app = appWithRoutes();
    const own = createExpressServer(app);
    const ownSeen = watchPrototypes(own, app);
    const plain = http.createServer(app);
    const plainSeen = watchPrototypes(plain, app);
    const ownUrl = await listen(own);
    const plainUrl = await listen(plain);

    for (let i = 0; i < 3; i++) {
      expect((await fetch(`${ownUrl}/facts`)).status).toBe(200);
      expect((await fetch(`${plainUrl}/facts`)).status).toBe(200);
    }
    expect(ownSeen).toEqual(Array.from({ length: 3 }, () => ({ request: true, response: true })));
    expect(plainSeen).toEqual(Array.from({ length: 3 }, () => ({ request: false, response: false })));
  });

  it("answers exactly as Express's own server does: Node's classes, the app's methods, headers, bodies and cookies", async () => {
    const app = appWithRoutes();
    const urls = [await listen(createExpressServer(app)), await listen(http.createServer(app))];
    const answers = [];
    for (const url of urls) {
      const facts = await fetch(`${url}/facts?x=1`, { headers: { 'x-probe': 'p' } });
      const echo = await fetch(`${url}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":[1,2]}' });
      answers.push({
        facts: { status: facts.status, custom: facts.headers.get('x-custom'), type: facts.headers.get('content-type'), body: await facts.json() },
        echo: { status: echo.status, cookie: echo.headers.getSetCookie(), body: await echo.json() },
      });
    }
    expect(answers[0]).toEqual(answers[1]);
    expect(answers[0]!.facts.body).toEqual({ isIncomingMessage: true, isServerResponse: true, appIsOwn: true, header: 'p', path: '/facts', query: { x: '1' } });
    expect(answers[0]!.echo).toEqual({ status: 201, cookie: ['c=v; Path=/; HttpOnly'], body: { body: { a: [1, 2] } } });
  });

  it('serves many requests on one keep-alive connection, each with fresh objects', async () => {
    const app = express();
    const requests = new Set<unknown>();
    app.get('/n', (req, res) => {
      requests.add(req);
      res.json({ n: requests.size });
    });
    const url = await listen(createExpressServer(app));
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const get = () =>
      new Promise<number>((resolve, reject) => {
        http
          .get(`${url}/n`, { agent }, (res) => {
            let text = '';
            res.on('data', (chunk: Buffer) => (text += String(chunk)));
            res.on('end', () => resolve((JSON.parse(text) as { n: number }).n));
          })
          .on('error', reject);
      });
    const counts = [];
    for (let i = 0; i < 5; i++) counts.push(await get());
    agent.destroy();
    expect(counts).toEqual([1, 2, 3, 4, 5]);
  });

  it("keeps Proofgate's request and response objects in V8's fast mode through its whole chain, refusals and sign-ins alike", async () => {
    // A per-request accessor, a prototype switch or objects built with too little room each turn
    // them into dictionary-mode objects, which cost every later property read (docs/performance.md).
    const { stdout } = await promisify(execFile)(process.execPath, ['--allow-natives-syntax', '--import', 'tsx', 'test/support/fast-properties-probe.ts'], {
      timeout: 60_000,
    });
    const lines = stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { request: string; status: number; req: boolean; res: boolean });
    expect(lines.filter((l) => l.status === 200 && l.request === 'GET /api/auth/me')).toHaveLength(3);
    expect(lines.filter((l) => l.status === 200 && l.request === 'POST /api/auth/login')).toHaveLength(3);
    expect(lines.filter((l) => l.status === 401)).toHaveLength(6);
    expect(lines.filter((l) => !l.req || !l.res)).toEqual([]);
  });
});
