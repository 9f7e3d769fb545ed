import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodes } from '../../src/server/core/error-codes';
import type { TwilioFake } from '../../tools/twilio-fake';
import type { HttpClient } from '../support/http-client';
import { registerAdmin, startFake, twilioEnv } from '../support/twilio';
import { sendRawRequest } from '../support/raw-http';
import { registerAndLogin, startTestServer, type TestServer } from '../support/test-server';

/**
 * Property-based fuzzing of every route the OpenAPI document lists (new routes join
 * automatically): hostile bodies, queries, headers and cookies must never produce a 5xx,
 * every refusal is problem+json with a catalogued error_code, the process stays up, and a
 * refused request changes nothing in the database. Seeded and reproducible:
 * FUZZ_SEED=<n> FUZZ_RUNS=<n> npx vitest run test/http/fuzz.routes.test.ts
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20261126);
const RUNS = Number(process.env.FUZZ_RUNS ?? 1500);
const RAW_RUNS = Math.max(100, Math.floor(RUNS / 5));
const KNOWN_CODES = new Set<string>(errorCodes);

interface Route {
  method: string;
  path: string;
  access: string;
  fields: string[];
}

let server: TestServer;
let fake: TwilioFake;
let routes: Route[];
let userClient: HttpClient;
let adminClient: HttpClient;
const unhandled: unknown[] = [];
/** route → status → count: printed at the end, so a run shows what it actually exercised. */
const coverage = new Map<string, Map<number, number>>();
function countStatus(route: Route, status: number) {
  const key = `${route.method} ${route.path}`;
  const byStatus = coverage.get(key) ?? new Map<number, number>();
  byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
  coverage.set(key, byStatus);
}
const onUnhandled = (reason: unknown) => unhandled.push(reason);

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  // With the Twilio fake configured, a valid SMS request succeeds instead of answering the
  // designed 503 SMS_NOT_CONFIGURED, so "no 5xx" holds for every route.
  fake = await startFake();
  server = await startTestServer({ env: { ...twilioEnv(fake), SMS_TEST_ADMIN_MAX_PER_HOUR: '10000', SMS_TEST_IP_MAX_PER_HOUR: '100000' } });
  const spec = (await server.client().get('/api/openapi.json')).body;
  routes = [];
  for (const [path, operations] of Object.entries<Record<string, any>>(spec.paths)) {
    for (const [method, operation] of Object.entries<any>(operations)) {
      const schema = operation.requestBody?.content?.['application/json']?.schema;
      const fields = new Set<string>(Object.keys(schema?.properties ?? {}));
      for (const variant of schema?.anyOf ?? schema?.oneOf ?? []) for (const key of Object.keys(variant.properties ?? {})) fields.add(key);
      for (const parameter of operation.parameters ?? []) if (parameter.in === 'query') fields.add(parameter.name);
      routes.push({ method: method.toUpperCase(), path, access: operation['x-access'], fields: [...fields] });
    }
  }
  userClient = (await registerAndLogin(server)).client;
  adminClient = (await registerAdmin(server, 'fuzz-admin@example.test')).client;
});

afterAll(async () => {
  const lines = [...coverage].map(([route, statuses]) => `  ${route}: ${[...statuses].sort().map(([s, n]) => `${s}×${n}`).join(' ')}`);
  console.log(`fuzz coverage (seed ${SEED}, ${RUNS} runs):\n${lines.join('\n')}`);
  process.off('unhandledRejection', onUnhandled);
  await server?.close();
  await fake?.close();
});

/** Everything a refused request must leave untouched (audit rows and throttle counters excluded by design). */
async function databaseDigest(): Promise<string> {
  const rows = await server.proofgate.database.query<{ digest: string }>(`
    select md5(concat_ws('|',
      (select coalesce(string_agg(md5(u::text), ',' order by id), '') from users u),
      (select coalesce(string_agg(md5(c::text), ',' order by user_id), '') from two_factor_credentials c),
      (select coalesce(string_agg(md5(b::text), ',' order by id), '') from two_factor_backup_codes b),
      (select coalesce(string_agg(concat_ws(':', id, token_hash, aal, authenticated_at), ',' order by id), '') from sessions),
      (select coalesce(string_agg(md5(e::text), ',' order by id), '') from integration_usage_events e)
    )) as digest`);
  return rows[0]!.digest;
}

const hostileStrings = fc.constantFrom(
  '',
  ' ',
  '\u0000',
  '\ud800',
  '\uffff',
  '💥'.repeat(300),
  'a'.repeat(20_000),
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  '"; drop table users; --',
  '${jndi:ldap://x/a}',
  '../../../../etc/passwd',
  '%00%0d%0a',
  '\r\nSet-Cookie: pwned=1',
  '__proto__',
  'constructor',
  '+15005550006',
  '123456',
  'aaaaa-bbbbb-ccccc',
  'x'.repeat(43),
  'NaN',
  '-1',
  '1e309',
);
const anyValue = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 2, arbitrary: hostileStrings },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
);

/** A plausible value per known field name, so near-valid bodies get past validation into the services. */
const plausible: Record<string, fc.Arbitrary<unknown>> = {
  email: fc.oneof(fc.stringMatching(/^[a-z0-9]{1,12}@example\.test$/), fc.emailAddress()),
  password: fc.string({ minLength: 12, maxLength: 40 }),
  code: fc.stringMatching(/^\d{6}$/),
  backup_code: fc.stringMatching(/^[0-9a-hjkmnp-tv-z]{5}-[0-9a-hjkmnp-tv-z]{5}-[0-9a-hjkmnp-tv-z]{5}$/),
  temp_token: fc.stringMatching(/^[A-Za-z0-9_-]{43}$/),
  // Not the fake's magic failure numbers (502 by design), and valid US numbers the geo permissions
  // accept with the fake's US sender: a refused destination is an audited attempt that writes a row.
  to: fc.stringMatching(/^\+1415555[0-9]{4}$/),
  note: fc.string({ minLength: 1, maxLength: 100 }),
  limit: fc.integer({ min: 1, max: 200 }),
};

/** Bodies: near-valid ones with one hostile field, random JSON, the route's field names with hostile values, pollution keys, deep nesting, raw bytes. */
function bodyFor(route: Route) {
  const bodyFields = route.fields.filter((f) => f !== 'limit' && f !== 'refresh');
  const nearValid = fc
    .record({
      values: fc.tuple(...bodyFields.map((f) => plausible[f] ?? fc.string())),
      mutate: fc.option(fc.tuple(fc.nat(Math.max(0, bodyFields.length - 1)), anyValue), { freq: 2 }),
      preferCode: fc.boolean(),
    })
    .map(({ values, mutate, preferCode }) => {
      const body: Record<string, unknown> = {};
      bodyFields.forEach((field, i) => (body[field] = values[i]));
      // Union schemas (code | backup_code) take one of the two.
      if ('code' in body && 'backup_code' in body) delete body[preferCode ? 'backup_code' : 'code'];
      if (mutate && bodyFields.length > 0) body[bodyFields[mutate[0]]!] = mutate[1];
      return Buffer.from(JSON.stringify(body));
    });
  const shaped = fc
    .record({
      fields: fc.subarray(route.fields).chain((keys) => fc.tuple(...keys.map((k) => fc.tuple(fc.constant(k), anyValue)))),
      extra: fc.array(fc.tuple(fc.oneof(fc.string(), fc.constantFrom('__proto__', 'constructor', 'prototype', 'userId', 'role')), anyValue), {
        maxLength: 2,
      }),
    })
    .map(({ fields, extra }) => {
      const pairs = [...fields, ...extra].map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v) ?? 'null'}`);
      return Buffer.from(`{${pairs.join(',')}}`);
    });
  return fc.oneof(
    { weight: 4, arbitrary: nearValid },
    { weight: 4, arbitrary: shaped },
    { weight: 2, arbitrary: fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v))) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '{"__proto__":{"is_admin":true,"role":"admin"}}',
        '{"constructor":{"prototype":{"is_admin":true}}}',
        '{"email":"a@b.c","password":"x","__proto__":null}',
        '{"a":' + '['.repeat(3000) + ']'.repeat(3000) + '}',
        '{"email": "a@b.c", "password": "correct horse", "email": "x@y.z"}',
        '{',
        'null',
        '"string"',
        '[]',
      ).map((s) => Buffer.from(s)),
    },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)) },
    { weight: 1, arbitrary: fc.constant(Buffer.alloc(0)) },
  );
}

/** encodeURIComponent throws on lone surrogates; hostile input must still be sendable, as its UTF-8 bytes. */
function percentEncode(value: string): string {
  return [...Buffer.from(value, 'utf8')].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');
}

const contentTypes = fc.constantFrom(
  'application/json',
  'application/json',
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'application/problem+json',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  undefined,
);
const cookies = fc.constantFrom('none', 'valid-user', 'valid-admin', 'garbage', 'oversized', 'many');
const queries = fc.oneof(
  fc.constant(''),
  fc.array(fc.tuple(fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('limit', 'refresh', '__proto__[x]', 'a[b][c]')), hostileStrings), {
    maxLength: 3,
  }).map((pairs) => '?' + pairs.map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join('&')),
  fc.constantFrom('?%', '?a=%E0%A4%A', '?limit=-5', '?limit=abc', '?limit=99999999999999999999'),
);

function cookieHeader(kind: string, route: Route): Record<string, string> {
  switch (kind) {
    case 'valid-user':
      // Logging the fuzz session out would end the campaign's authenticated coverage.
      return route.path === '/api/auth/logout' ? {} : { cookie: [...userClient.cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
    case 'valid-admin':
      return route.path === '/api/auth/logout' ? {} : { cookie: [...adminClient.cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
    case 'garbage':
      return { cookie: 'proofgate_session=%%%; proofgate_device=v1..x; =; ;;' };
    case 'oversized':
      return { cookie: `proofgate_session=${'A'.repeat(6000)}` };
    case 'many':
      return { cookie: Array.from({ length: 200 }, (_, i) => `c${i}=${i}`).join('; ') };
    default:
      return {};
  }
}

function expectWellFormedRefusal(status: number, contentType: string | null, body: string, context: string) {
  expect(status, context).toBeLessThan(500);
  if (status >= 400) {
    expect(contentType, context).toContain('application/problem+json');
    const parsed = JSON.parse(body);
    expect(KNOWN_CODES.has(parsed.error_code), `${context}: error_code ${parsed.error_code}`).toBe(true);
    expect(body, context).not.toMatch(/\n\s+at |node_modules|\.ts:\d+/);
  }
}

describe('fuzzing every public route', () => {
  it('hostile bodies, queries, content types and cookies: no 5xx, problem+json refusals, no database change when refused', async () => {
    const routeArbitrary = fc.constantFrom(...routes);
    await fc.assert(
      fc.asyncProperty(
        routeArbitrary.chain((route) =>
          fc.record({
            route: fc.constant(route),
            body: bodyFor(route),
            contentType: contentTypes,
            cookie: cookies,
            query: queries,
            origin: fc.constantFrom(undefined, undefined, undefined, 'https://evil.example', 'null'),
          }),
        ),
        async ({ route, body, contentType, cookie, query, origin }) => {
          const before = await databaseDigest();
          const headers: Record<string, string> = { ...cookieHeader(cookie, route) };
          if (contentType) headers['content-type'] = contentType;
          if (origin) headers.origin = origin;
          const path = route.path.replace(/\{[^}]+\}/g, 'x') + query;
          const response = await fetch(`${server.url}${path}`, {
            method: route.method,
            headers,
            ...(route.method === 'GET' ? {} : { body }),
          });
          const text = await response.text();
          const context = `${route.method} ${path} [${cookie}, ${contentType ?? 'no content-type'}]`;
          countStatus(route, response.status);
          expectWellFormedRefusal(response.status, response.headers.get('content-type'), text, context);
          if (response.status >= 400) expect(await databaseDigest(), `${context} changed the database`).toBe(before);
        },
      ),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    expect((await server.client().get('/healthz')).status).toBe(200);
    expect(unhandled).toEqual([]);
  }, 600_000);

  it('raw hostile requests (header injection, NUL, invalid UTF-8, huge headers, bad paths): answered with problem+json, never a crash', async () => {
    const port = Number(new URL(server.url).port);
    const routeArbitrary = fc.constantFrom(...routes);
    const hostileHeaderValue = fc.oneof(
      fc.constantFrom('a\r\nX-Injected: 1', 'a\nb', 'a\u0000b', 'é', '\u00ff\u00fe', 'x'.repeat(70_000)),
      fc.uint8Array({ minLength: 1, maxLength: 40 }).map((a) => Buffer.from(a).toString('latin1')),
    );
    const hostilePath = fc.oneof(
      fc.constant(''),
      fc.constantFrom('%', '%zz', '%E0%A4%A', '/..%2f..%2fetc%2fpasswd', '%00', '?%ff', '/%c0%ae%c0%ae/'),
    );
    await fc.assert(
      fc.asyncProperty(routeArbitrary, hostileHeaderValue, hostilePath, fc.uint8Array({ maxLength: 64 }), async (route, value, suffix, bodyBytes) => {
        const path = route.path.replace(/\{[^}]+\}/g, 'x') + suffix;
        const head = Buffer.from(
          `${route.method} ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\nContent-Type: application/json\r\nX-Request-Id: ${value}\r\nCookie: proofgate_session=${value}\r\nContent-Length: ${bodyBytes.length}\r\n\r\n`,
          'latin1',
        );
        const response = await sendRawRequest(port, Buffer.concat([head, Buffer.from(bodyBytes)]));
        const context = `${route.method} ${JSON.stringify(path)} header=${JSON.stringify(value.slice(0, 40))}`;
        expect(response.status, context).toBeGreaterThanOrEqual(200);
        expect(response.status, context).toBeLessThan(500);
        if (response.status >= 400) {
          expect(response.headers['content-type'], context).toContain('application/problem+json');
          expect(KNOWN_CODES.has(JSON.parse(response.body).error_code), context).toBe(true);
        }
        expect(response.headers['x-injected'], context).toBeUndefined();
      }),
      { seed: SEED, numRuns: RAW_RUNS, endOnFailure: true },
    );
    expect((await server.client().get('/healthz')).status).toBe(200);
    expect(unhandled).toEqual([]);
  }, 600_000);
});
