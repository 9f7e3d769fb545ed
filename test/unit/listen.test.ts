import net, { type AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { listenGuarded } from '../../src/server/http/listen';

/** Sends raw bytes and reads the whole answer (the server closes the connection after a parser refusal). */
function rawExchange(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(bytes));
    let answer = '';
    socket.on('data', (chunk) => (answer += String(chunk)));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

describe('listenGuarded', () => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });
  const track = (server: { close(cb: () => void): void }) =>
    closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('resolves once bound, with the server guards and the app’s own request class', async () => {
    const app = express();
    app.get('/kind', (req, res) => {
      res.json({ appRequest: Object.getPrototypeOf(req) === app.request });
    });
    const server = await listenGuarded(app, 0, '127.0.0.1');
    track(server);
    const { port } = server.address() as AddressInfo;

    expect(server.listening).toBe(true);
    expect(server.requestTimeout).toBe(30_000);
    expect(server.headersTimeout).toBe(20_000);
    await expect((await fetch(`http://127.0.0.1:${port}/kind`)).json()).resolves.toEqual({ appRequest: true });
    // A request Node's parser refuses gets the problem+json answer, not Node's bare 400.
    const refused = await rawExchange(port, 'GET /kind HTTP/1.1\r\nHost: x\r\nX-Bad: a\u0000b\r\n\r\n');
    expect(refused).toMatch(/^HTTP\/1\.1 400 /);
    expect(refused).toContain('"error_code":"MALFORMED_REQUEST"');
  });

  it('rejects with the bind error when the port is taken, instead of hanging', async () => {
    const first = await listenGuarded(express(), 0, '127.0.0.1');
    track(first);
    const { port } = first.address() as AddressInfo;

    await expect(listenGuarded(express(), port, '127.0.0.1')).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});
