import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import express from 'express';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExpressServer } from '../../src/server/http/express-server';
import { requestContext } from '../../src/server/http/request-context';
import { requestLogging } from '../../src/server/http/request-logging';

/**
 * The request log: one completion line per request, and `req.log`, a child logger bound to the
 * request id, made on first read — through one getter shared by every request, so V8 can keep
 * one hidden class for all request objects (a fresh getter per request makes each of them a
 * dictionary-mode object).
 */

const lines: Array<Record<string, unknown>> = [];
const destination = new Writable({
  write(chunk, _encoding, callback) {
    for (const line of String(chunk).split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
    callback();
  },
});
const getters: unknown[] = [];
const childReads: boolean[] = [];
let url = '';
let close: () => Promise<void>;

beforeAll(async () => {
  const app = express();
  app.use(requestContext());
  app.use(requestLogging(pino({ level: 'info' }, destination)));
  app.get('/write', (req, res) => {
    getters.push(Object.getOwnPropertyDescriptor(req, 'log')?.get);
    childReads.push(req.log === req.log);
    req.log!.info({ step: 'handler' }, 'handler line');
    res.json({ ok: true });
  });
  app.get('/quiet', (req, res) => {
    getters.push(Object.getOwnPropertyDescriptor(req, 'log')?.get);
    res.json({ ok: true });
  });
  const server = createExpressServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => new Promise<void>((resolve) => server.close(() => resolve()));
});
afterAll(() => close());

describe('request log', () => {
  it("binds req.log to the request's id, makes it once per request, and writes every completion line", async () => {
    const ids = ['req-aaaaaaaa', 'req-bbbbbbbb'];
    for (const id of ids) expect((await fetch(`${url}/write`, { headers: { 'x-request-id': id } })).status).toBe(200);
    expect((await fetch(`${url}/quiet`, { headers: { 'x-request-id': 'req-cccccccc' } })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 50));

    const handlerLines = lines.filter((l) => l.msg === 'handler line');
    expect(handlerLines.map((l) => l.request_id)).toEqual(ids);
    expect(childReads).toEqual([true, true]);
    const completions = lines.filter((l) => l.msg === 'request completed');
    expect(completions.map((l) => [l.request_id, (l.req as { path: string }).path, (l.res as { status: number }).status])).toEqual([
      ['req-aaaaaaaa', '/write', 200],
      ['req-bbbbbbbb', '/write', 200],
      ['req-cccccccc', '/quiet', 200],
    ]);
  });

  it('gives every request the same getter function for req.log, not a closure of its own', () => {
    expect(getters).toHaveLength(3);
    expect(typeof getters[0]).toBe('function');
    expect(new Set(getters).size).toBe(1);
  });
});
