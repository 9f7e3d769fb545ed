import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerAndLogin, startTestServer, STRONG_PASSWORD, TEST_APP_ENC_KEY, uniqueEmail, type TestServer } from '../support/test-server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

function expectProblem(response: { status: number; headers: Headers; body: any }, status: number, code: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toContain('application/problem+json');
  expect(response.body.error_code).toBe(code);
  expect(response.body.status).toBe(status);
  expect(typeof response.body.title).toBe('string');
  expect(response.body.request_id).toBe(response.headers.get('x-request-id'));
  expect(JSON.stringify(response.body)).not.toMatch(/at .*\.ts:\d+|node_modules|Error:/);
}

describe('problem+json for every failure', () => {
  it('malformed JSON → 400 MALFORMED_JSON', async () => {
    const response = await server.client().request('POST', '/api/auth/login', {
      raw: '{"email": "a@b.c", "password": ',
      headers: { 'content-type': 'application/json' },
    });
    expectProblem(response, 400, 'MALFORMED_JSON');
  });

  it('oversized body → 413 PAYLOAD_TOO_LARGE', async () => {
    const response = await server.client().post('/api/auth/register', { email: uniqueEmail(), password: 'x'.repeat(64 * 1024) });
    expectProblem(response, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('a form-encoded body → 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    const response = await server.client().request('POST', '/api/auth/login', {
      raw: 'email=a%40b.c&password=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expectProblem(response, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('unknown API route → 404 NOT_FOUND, wrong types → 400 VALIDATION_FAILED', async () => {
    expectProblem(await server.client().get('/api/does-not-exist'), 404, 'NOT_FOUND');
    expectProblem(await server.client().get('/nothing-here'), 404, 'NOT_FOUND');
    expectProblem(await server.client().post('/api/auth/login', { email: 42, password: ['x'] }), 400, 'VALIDATION_FAILED');
    expectProblem(await server.client().post('/api/auth/login', [1, 2, 3]), 400, 'VALIDATION_FAILED');
    expectProblem(await server.client().post('/api/auth/login'), 400, 'VALIDATION_FAILED');
  });

  it('every response carries X-Request-Id, and a safe incoming one is echoed', async () => {
    const plain = await server.client().get('/healthz');
    expect(plain.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const echoed = await server.client().get('/healthz', { headers: { 'x-request-id': 'trace-abc-12345' } });
    expect(echoed.headers.get('x-request-id')).toBe('trace-abc-12345');
    const hostile = await server.client().get('/healthz', { headers: { 'x-request-id': 'x"} {evil with spaces' } });
    expect(hostile.headers.get('x-request-id')).not.toContain('evil');
  });
});

describe('caching of API answers', () => {
  it('a signed-in read is Cache-Control: no-store and carries no ETag to revalidate', async () => {
    const { client } = await registerAndLogin(server, uniqueEmail('cache'));
    const me = await client.get('/api/auth/me');
    expect(me.status).toBe(200);
    expect(me.headers.get('cache-control')).toBe('no-store');
    expect(me.headers.get('etag')).toBeNull();
    // Nothing to revalidate, so a conditional request is answered in full, never 304.
    const again = await client.get('/api/auth/me', { headers: { 'if-none-match': '*' } });
    expect(again.status).toBe(200);
    expect(again.body.user.id).toBe(me.body.user.id);
  });
});

describe('Origin check on state-changing requests', () => {
  it('refuses a foreign Origin with 403 ORIGIN_REJECTED and creates nothing', async () => {
    const email = uniqueEmail('csrf');
    const response = await server.client().post('/api/auth/register', { email, password: STRONG_PASSWORD }, { headers: { origin: 'https://evil.example' } });
    expectProblem(response, 403, 'ORIGIN_REJECTED');
    const rows = await server.proofgate.database.query('select 1 from users where email = $1', [email]);
    expect(rows).toHaveLength(0);
  });

  it('accepts the same origin and requests without Origin (curl)', async () => {
    const sameOrigin = await server.client().post('/api/auth/register', { email: uniqueEmail(), password: STRONG_PASSWORD }, { headers: { origin: server.url } });
    expect(sameOrigin.status).toBe(201);
    const noOrigin = await server.client().post('/api/auth/register', { email: uniqueEmail(), password: STRONG_PASSWORD });
    expect(noOrigin.status).toBe(201);
  });

  it('refuses Origin: null and a cross-site fetch without Origin', async () => {
    expectProblem(await server.client().post('/api/auth/logout', undefined, { headers: { origin: 'null' } }), 403, 'ORIGIN_REJECTED');
    expectProblem(
      await server.client().post('/api/auth/logout', undefined, { headers: { 'sec-fetch-site': 'cross-site' } }),
      403,
      'ORIGIN_REJECTED',
    );
  });
});

describe('logging of refusals and secrets in URLs', () => {
  it('the request log line of every refusal names its error_code, and never the query string', async () => {
    await server.client().get('/api/auth/me?token=should-not-be-logged-7c1a');
    await server.client().post('/api/auth/login', { email: 'x' });
    const lines = server.logs.map((l) => JSON.parse(l)).filter((l) => l.msg === 'request completed' && l.res?.status >= 400);
    expect(lines.some((l) => l.error_code === 'UNAUTHENTICATED')).toBe(true);
    expect(lines.some((l) => l.error_code === 'VALIDATION_FAILED')).toBe(true);
    expect(server.logs.join('\n')).not.toContain('should-not-be-logged-7c1a');
  });

  it('no route takes a secret in its query string (ASVS 8.3.1)', async () => {
    const spec = (await server.client().get('/api/openapi.json')).body;
    const queryParameters = new Set<string>();
    for (const operations of Object.values<Record<string, any>>(spec.paths)) {
      for (const operation of Object.values<any>(operations)) {
        for (const parameter of operation.parameters ?? []) if (parameter.in === 'query') queryParameters.add(parameter.name);
      }
    }
    expect([...queryParameters].sort()).toEqual(['limit', 'refresh']);
  });
});

describe('security headers and OpenAPI', () => {
  it('sends a CSP, nosniff and no X-Powered-By', async () => {
    const response = await server.client().get('/healthz');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-powered-by')).toBeNull();
  });

  it('describes every mounted route in /api/openapi.json (OpenAPI 3.1)', async () => {
    const response = await server.client().get('/api/openapi.json');
    expect(response.status).toBe(200);
    expect(response.body.openapi).toBe('3.1.0');
    for (const [path, method] of [
      ['/api/auth/register', 'post'],
      ['/api/auth/login', 'post'],
      ['/api/auth/logout', 'post'],
      ['/api/auth/me', 'get'],
      ['/readyz', 'get'],
      ['/api/alerts/sms/test', 'post'],
      ['/api/integrations/status', 'get'],
      ['/api/integrations/twilio/status-callback', 'post'],
      ['/api/system/status', 'get'],
    ] as const) {
      expect(response.body.paths[path]?.[method], `${method} ${path}`).toBeDefined();
    }
    const registerSchema = response.body.paths['/api/auth/register'].post.requestBody.content['application/json'].schema;
    expect(registerSchema.required).toEqual(expect.arrayContaining(['email', 'password']));
    const sms = response.body.paths['/api/alerts/sms/test'].post;
    expect(sms['x-access']).toBe('admin');
    expect(sms['x-error-codes']).toEqual(expect.arrayContaining(['SMS_NOT_CONFIGURED', 'SMS_PROVIDER_REJECTED', 'SMS_PROVIDER_UNAVAILABLE', 'RATE_LIMITED']));
    const callback = response.body.paths['/api/integrations/twilio/status-callback'].post;
    expect(Object.keys(callback.requestBody.content)).toEqual(['application/x-www-form-urlencoded']);
    expect(callback['x-access']).toBe('signed-callback');
  });
});

describe('production mode', () => {
  it('names the cookie __Host-proofgate_session and marks it Secure, HttpOnly, SameSite=Strict, Path=/', async () => {
    const production = await startTestServer({ env: { NODE_ENV: 'production', APP_ENC_KEY: TEST_APP_ENC_KEY } });
    try {
      const client = production.client();
      const email = uniqueEmail('prod');
      await client.post('/api/auth/register', { email, password: STRONG_PASSWORD });
      const login = await client.post('/api/auth/login', { email, password: STRONG_PASSWORD });
      expect(login.status).toBe(200);
      const cookie = login.setCookies.find((c) => c.startsWith('__Host-proofgate_session='))!;
      expect(cookie).toBeDefined();
      expect(login.setCookies.find((c) => c.startsWith('__Host-proofgate_device='))).toMatch(/; Secure/i);
      expect(cookie).toMatch(/; Secure/i);
      expect(cookie).toMatch(/HttpOnly/i);
      expect(cookie).toMatch(/SameSite=Strict/i);
      expect(cookie).toMatch(/Path=\//);
      expect(cookie).not.toMatch(/Domain=/i);
      expect(login.headers.get('strict-transport-security')).toContain('max-age=');
      const bogus = await production.client().post('/api/does-not-exist', {});
      expect(JSON.stringify(bogus.body)).not.toContain('stack');
    } finally {
      await production.close();
    }
  });
});

describe('readiness', () => {
  it('is ready with the database up and answers 503 SERVICE_UNAVAILABLE once it is gone', async () => {
    const doomed = await startTestServer();
    try {
      const { client } = await registerAndLogin(doomed);
      const ready = await doomed.client().get('/readyz');
      expect(ready.status).toBe(200);
      expect(ready.body.checks.database.ok).toBe(true);
      expect(ready.body.checks.migrations.ok).toBe(true);

      if (doomed.database.pglite) await doomed.database.pglite.close();
      else await doomed.proofgate.database.close();
      const notReady = await doomed.client().get('/readyz');
      expectProblem(notReady, 503, 'SERVICE_UNAVAILABLE');
      expect(notReady.body.checks.database.ok).toBe(false);
      expect((await doomed.client().get('/healthz')).status).toBe(200);
      expectProblem(await client.get('/api/auth/me'), 503, 'DATABASE_UNAVAILABLE');
    } finally {
      await doomed.close();
    }
  });
});
