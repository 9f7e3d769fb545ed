import { randomBytes } from 'node:crypto';
import pg from 'pg';
import * as OTPAuth from 'otpauth';
import { createHostApp } from '../server.js';

export const PASSWORD = 'violet-anchor-drifts-31';
const KEY = Buffer.alloc(32, 5).toString('base64');

/** A fresh database per host: a new PostgreSQL database when TEST_DATABASE_URL is set, else an embedded one. */
async function freshDatabaseUrl() {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) return { databaseUrl: undefined, drop: async () => {} };
  const name = `proofgate_example_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  await admin.end();
  const databaseUrl = new URL(url);
  databaseUrl.pathname = `/${name}`;
  return {
    databaseUrl: databaseUrl.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`drop database if exists "${name}" with (force)`);
      await c.end();
    },
  };
}

export async function startHost() {
  const database = await freshDatabaseUrl();
  const host = await createHostApp({ databaseUrl: database.databaseUrl, encKey: KEY, options: { logLevel: 'silent', registerIpMaxPerHour: 10_000 } });
  const server = await new Promise((resolve) => {
    const s = host.app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    ...host,
    url,
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await host.close();
      await database.drop();
    },
  };
}

/** fetch with a cookie jar: one browser's worth of session. */
export function client(baseUrl) {
  const jar = new Map();
  async function request(method, path, body) {
    const headers = { ...(body !== undefined ? { 'content-type': 'application/json' } : {}) };
    if (jar.size > 0) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const response = await fetch(baseUrl + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const index = pair.indexOf('=');
      const name = pair.slice(0, index);
      const value = pair.slice(index + 1);
      if (value === '' || /Max-Age=0|Expires=Thu, 01 Jan 1970/i.test(line)) jar.delete(name);
      else jar.set(name, value);
    }
    const text = await response.text();
    let json;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, contentType: response.headers.get('content-type') ?? '', body: json, text };
  }
  return { jar, get: (path) => request('GET', path), post: (path, body = {}) => request('POST', path, body) };
}

let counter = 0;
export function uniqueEmail(prefix = 'host') {
  counter += 1;
  return `${prefix}.${process.pid}.${Date.now().toString(36)}.${counter}@example.test`;
}

export function totp(secret, offsetSteps = 0) {
  return new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' }).generate({
    timestamp: Date.now() + offsetSteps * 30_000,
  });
}

export async function registerAndLogin(baseUrl, email = uniqueEmail()) {
  const browser = client(baseUrl);
  const registered = await browser.post('/api/auth/register', { email, password: PASSWORD });
  if (registered.status !== 201) throw new Error(`register: ${registered.status} ${registered.text}`);
  const login = await browser.post('/api/auth/login', { email, password: PASSWORD });
  if (login.status !== 200) throw new Error(`login: ${login.status} ${login.text}`);
  return { browser, email, userId: registered.body.user.id };
}

/** Turns 2FA on for the signed-in browser (its session becomes AAL2); returns the TOTP secret. */
export async function enableTwoFactor(browser) {
  const setup = await browser.post('/api/auth/2fa/setup');
  if (setup.status !== 200) throw new Error(`setup: ${setup.status} ${setup.text}`);
  const confirm = await browser.post('/api/auth/2fa/confirm', { code: totp(setup.body.secret) });
  if (confirm.status !== 200) throw new Error(`confirm: ${confirm.status} ${confirm.text}`);
  return setup.body.secret;
}
