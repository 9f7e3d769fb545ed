import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertConformsToContract, type ObservedResponse } from '../support/openapi-contract';
import { sendRawRequest } from '../support/raw-http';
import { registerAndLogin, startTestServer, STRONG_PASSWORD, type TestServer } from '../support/test-server';

/**
 * The contract check every test's answers pass through (test/support/openapi-contract.ts), held
 * to account itself: it must refuse what the document does not say. And the answers the
 * document once left out (415, 431, parser-level 400) are documented and conform.
 */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

function observed(status: number, headers: Record<string, string>, text: string): ObservedResponse {
  return { status, header: (name) => headers[name.toLowerCase()], text };
}

const problem = (status: number, code: string) =>
  JSON.stringify({ type: 'urn:x', title: 't', status, instance: '/api/auth/login', error_code: code, request_id: 'r1234567' });
const problemHeaders = { 'content-type': 'application/problem+json; charset=utf-8', 'x-request-id': 'r1234567' };

describe('the contract check refuses what the document does not say', () => {
  it('accepts a documented answer', async () => {
    await expect(assertConformsToContract(server.url, 'POST', '/api/auth/login', observed(401, problemHeaders, problem(401, 'INVALID_CREDENTIALS')))).resolves.toBeUndefined();
  });

  it('an undocumented status', async () => {
    await expect(assertConformsToContract(server.url, 'POST', '/api/auth/login', observed(418, problemHeaders, problem(418, 'INVALID_CREDENTIALS')))).rejects.toThrow(
      /status 418 is not documented for POST \/api\/auth\/login/,
    );
  });

  it('a route the document does not describe, answering 2xx', async () => {
    await expect(assertConformsToContract(server.url, 'POST', '/api/auth/new-thing', observed(200, { 'x-request-id': 'r1234567' }, ''))).rejects.toThrow(
      /no such operation/,
    );
  });

  it('a body that does not match the schema, or an undocumented media type', async () => {
    await expect(
      assertConformsToContract(server.url, 'GET', '/healthz', observed(200, { 'content-type': 'application/json', 'x-request-id': 'r1234567' }, '{"status":"fine"}')),
    ).rejects.toThrow(/does not match the documented schema/);
    await expect(
      assertConformsToContract(server.url, 'GET', '/healthz', observed(200, { 'content-type': 'text/plain', 'x-request-id': 'r1234567' }, 'ok')),
    ).rejects.toThrow(/content-type text\/plain is not documented/);
  });

  it('a missing required header, and a Set-Cookie or Retry-After the document does not declare', async () => {
    await expect(assertConformsToContract(server.url, 'GET', '/healthz', observed(200, { 'content-type': 'application/json' }, '{"status":"ok"}'))).rejects.toThrow(
      /required header x-request-id is missing/,
    );
    const healthz = { 'content-type': 'application/json', 'x-request-id': 'r1234567' };
    await expect(assertConformsToContract(server.url, 'GET', '/healthz', observed(200, { ...healthz, 'set-cookie': 'a=b' }, '{"status":"ok"}'))).rejects.toThrow(
      /sends set-cookie, which the document does not declare/,
    );
    await expect(
      assertConformsToContract(server.url, 'POST', '/api/auth/login', observed(429, problemHeaders, problem(429, 'RATE_LIMITED'))),
    ).rejects.toThrow(/required header retry-after is missing/);
  });
});

describe('answers the document used to leave out', () => {
  it('415 for a JSON body in another charset (application/json; charset=latin1), documented on the operation', async () => {
    const response = await server.client().request('POST', '/api/auth/login', {
      raw: JSON.stringify({ email: 'ada@example.test', password: STRONG_PASSWORD }),
      headers: { 'content-type': 'application/json; charset=latin1' },
    });
    expect(response.status).toBe(415);
    expect(response.body.error_code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const operation = (await server.client().get('/api/openapi.json')).body.paths['/api/auth/login'].post;
    expect(operation.responses['415']).toBeDefined();
    expect(operation.requestBody.description).toMatch(/charset=latin1/);
  });

  it('431 HEADERS_TOO_LARGE and a parser-level 400 carry a string instance and X-Request-Id', async () => {
    const { port } = new URL(server.url);
    const huge = await sendRawRequest(Number(port), Buffer.from(`GET /api/auth/me HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\nConnection: close\r\n\r\n`));
    expect(huge.status).toBe(431);
    const body = JSON.parse(huge.body);
    expect(body.error_code).toBe('HEADERS_TOO_LARGE');
    expect(body.instance).toBe(`urn:uuid:${body.request_id}`);
    expect(huge.headers['x-request-id']).toBe(body.request_id);
    const garbage = await sendRawRequest(Number(port), Buffer.from('GET /healthz HTTP/1.1\r\nHost: x\r\nBad\x00Header: 1\r\nConnection: close\r\n\r\n'));
    expect(garbage.status).toBe(400);
    expect(typeof JSON.parse(garbage.body).instance).toBe('string');
  });

  it('declares Set-Cookie on sign-in and Retry-After on throttled answers', async () => {
    const document = (await server.client().get('/api/openapi.json')).body;
    expect(document.paths['/api/auth/login'].post.responses['200'].headers['Set-Cookie']).toBeDefined();
    expect(document.paths['/api/auth/2fa/verify'].post.responses['200'].headers['Set-Cookie'].required).toBe(true);
    expect(document.paths['/api/auth/login'].post.responses['429'].headers['Retry-After']).toBeDefined();
    expect(document.servers).toHaveLength(1);
    expect(document.info.license.name).toBeTruthy();
  });
});

describe('GET /api/docs', () => {
  it('serves the Redoc page and its bundle from this server, under a CSP that keeps scripts same-origin', async () => {
    const { client } = await registerAndLogin(server);
    const page = await client.get('/api/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("connect-src 'self'");
    expect(page.text).toContain('src="/api/docs/init.js"');
    expect(page.text).not.toMatch(/https?:\/\//);
    const init = await client.get('/api/docs/init.js');
    expect(init.text).toContain("from '/api/docs/redoc.standalone.js'");
    expect(init.text).toContain('disableTelemetry: true');
    const bundle = await client.get('/api/docs/redoc.standalone.js');
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(bundle.text).toContain('RedocStandalone');
    // Everywhere else the strict CSP holds.
    expect((await client.get('/api/auth/me')).headers.get('content-security-policy')).toContain("style-src 'self';");
  });
});
