import fs from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import twilio from 'twilio';
import { createTwilioHttpClient } from '../../src/server/integrations/twilio/http-client';
import { resolveTwilioSettings } from '../../src/server/integrations/twilio/settings';
import { createTwilioSmsProvider } from '../../src/server/integrations/twilio/sms-provider';
import type { TwilioConfig } from '../../src/server/config';
import { startTwilioFake, signTwilioRequest, type TwilioFake } from '../../tools/twilio-fake';

/**
 * Holds the Twilio fake to Twilio's own OpenAPI excerpt (tools/twilio-fake/spec, Apache 2.0):
 * request parameters against the CreateMessageRequest form schema, 201 bodies against the
 * Message schema, the account fetch against the Account schema, errors against Twilio's
 * documented `{code, message, more_info, status}` shape.
 */
const spec = JSON.parse(fs.readFileSync(new URL('../../tools/twilio-fake/spec/twilio_api_v2010.messages.json', import.meta.url), 'utf8'));
const MESSAGES_PATH = '/2010-04-01/Accounts/{AccountSid}/Messages.json';
const createMessageSchema = spec.paths[MESSAGES_PATH].post.requestBody.content['application/x-www-form-urlencoded'].schema;
const messageSchema = spec.components.schemas['api.v2010.account.message'];
const accountSchema = spec.components.schemas['api.v2010.account'];

// RFC 2822 §3.3 as Twilio writes it: day-name, dd Mon yyyy hh:mm:ss +0000.
const RFC_2822 = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}$/;

function buildValidators() {
  // The spec is OpenAPI 3.0 (`nullable`, `x-twilio` annotations), so strict mode is off.
  const ajv = new Ajv({ strict: false, allErrors: true });
  const addFormats = addFormatsModule as unknown as (instance: Ajv) => Ajv;
  addFormats(ajv);
  ajv.addFormat('date-time-rfc-2822', { type: 'string', validate: (v: string) => RFC_2822.test(v) && !Number.isNaN(Date.parse(v)) });
  ajv.addFormat('phone-number', /^\+[1-9]\d{1,14}$/);
  ajv.addFormat('currency', /^[A-Z]{3}$/);
  ajv.addFormat('uri-map', { type: 'object', validate: () => true } as never);
  ajv.addSchema(spec, 'twilio');
  const get = (pointer: string) => ajv.getSchema(`twilio#${pointer}`) as ValidateFunction;
  return {
    createMessage: get(`/paths/${MESSAGES_PATH.replace(/~/g, '~0').replace(/\//g, '~1')}/post/requestBody/content/application~1x-www-form-urlencoded/schema`),
    message: get('/components/schemas/api.v2010.account.message'),
    account: get('/components/schemas/api.v2010.account'),
  };
}

const validators = buildValidators();

function expectValid(validate: ValidateFunction, value: unknown) {
  const ok = validate(value);
  expect(validate.errors ?? [], JSON.stringify(validate.errors)).toEqual([]);
  expect(ok).toBe(true);
}

/** Every declared property is present (Twilio sends them all, null when empty) and nothing undeclared. */
function expectExactlyDeclared(schema: { properties: Record<string, unknown> }, body: Record<string, unknown>) {
  expect(Object.keys(body).sort()).toEqual(Object.keys(schema.properties).sort());
}

/** Form params use only names the spec declares (a typo like StatusCallBack would be ignored by Twilio). */
function expectRequestConforms(params: Record<string, string>) {
  for (const name of Object.keys(params)) expect(Object.keys(createMessageSchema.properties)).toContain(name);
  expectValid(validators.createMessage, params);
  expect(params.To).toBeDefined();
  expect(params.From !== undefined || params.MessagingServiceSid !== undefined).toBe(true);
}

const ACCOUNT_SID = `AC${'a1'.repeat(16)}`;
const AUTH_TOKEN = 'conformance-auth-token-0123456789';
const API_KEY = { sid: `SK${'b2'.repeat(16)}`, secret: 'conformance-api-key-secret' };

let fake: TwilioFake;
beforeAll(async () => {
  fake = await startTwilioFake({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, apiKeys: [API_KEY], fromNumbers: ['+14155550100'] });
});
afterAll(async () => {
  await fake?.close();
});
afterEach(() => {
  fake.setFault(null);
  fake.clearReceived();
});

function basic(user: string, password: string) {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

async function rawCreate(params: Record<string, string>, authorization = basic(ACCOUNT_SID, AUTH_TOKEN), accountSid = ACCOUNT_SID) {
  const response = await fetch(`${fake.url}/2010-04-01/Accounts/${accountSid}/Messages.json`, {
    method: 'POST',
    headers: { authorization, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams(params).toString(),
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

function expectTwilioError(answer: { status: number; body: Record<string, any> }, status: number, code: number) {
  expect(answer.status).toBe(status);
  expect(answer.body).toEqual({ code, message: expect.any(String), more_info: `https://www.twilio.com/docs/errors/${code}`, status });
}

describe('the fake against the Twilio OpenAPI excerpt', () => {
  it('the spec excerpt is the one the notice names', () => {
    expect(spec.openapi).toBe('3.0.1');
    expect(spec.info.license.name).toBe('Apache 2.0');
    expect(createMessageSchema.required).toEqual(['To']);
    expect(spec.components.securitySchemes.accountSid_authToken).toEqual({ scheme: 'basic', type: 'http' });
  });

  it('a valid send → 201 Message: every schema property, sid pattern, status enum, RFC 2822 dates', async () => {
    const params = { To: '+14155550123', From: '+15005550006', Body: 'conformance hello' };
    expectRequestConforms(params);
    const answer = await rawCreate(params);
    expect(answer.status).toBe(201);
    expectValid(validators.message, answer.body);
    expectExactlyDeclared(messageSchema, answer.body);
    expect(answer.body.sid).toMatch(/^(SM|MM)[0-9a-fA-F]{32}$/);
    expect(answer.body).toMatchObject({ status: 'queued', account_sid: ACCOUNT_SID, to: params.To, from: params.From, body: params.Body });
    expect(answer.body.num_segments).toBe('1');
    expect(answer.body.uri).toBe(`/2010-04-01/Accounts/${ACCOUNT_SID}/Messages/${answer.body.sid}.json`);
    for (const field of ['date_created', 'date_updated']) expect(answer.body[field]).toMatch(RFC_2822);
    // The validator has teeth: each of these breaks the schema.
    expect(validators.message({ ...answer.body, sid: `XX${'0'.repeat(32)}` })).toBe(false);
    expect(validators.message({ ...answer.body, status: 'teleported' })).toBe(false);
    expect(validators.message({ ...answer.body, date_created: new Date().toISOString() })).toBe(false);
    expect(validators.createMessage({ From: '+15005550006', Body: 'no To' })).toBe(false);
  });

  it('MessagingServiceSid instead of From; long bodies count segments', async () => {
    const answer = await rawCreate({ To: '+14155550123', MessagingServiceSid: `MG${'c3'.repeat(16)}`, Body: 'x'.repeat(200) });
    expect(answer.status).toBe(201);
    expectValid(validators.message, answer.body);
    expect(answer.body.from).toBeNull();
    expect(answer.body.num_segments).toBe('2');
  });

  it('accepts the API key SID + secret pair and refuses wrong credentials with 401/20003', async () => {
    expect((await rawCreate({ To: '+14155550123', From: '+15005550006', Body: 'k' }, basic(API_KEY.sid, API_KEY.secret))).status).toBe(201);
    expectTwilioError(await rawCreate({ To: '+14155550123', From: '+15005550006', Body: 'k' }, basic(ACCOUNT_SID, 'wrong')), 401, 20003);
    expectTwilioError(await rawCreate({ To: '+14155550123', From: '+15005550006', Body: 'k' }, basic(API_KEY.sid, AUTH_TOKEN)), 401, 20003);
    expectTwilioError(await rawCreate({ To: '+14155550123', From: '+15005550006', Body: 'k' }, ''), 401, 20003);
    const otherAccount = `AC${'d4'.repeat(16)}`;
    expectTwilioError(await rawCreate({ To: '+14155550123', From: '+15005550006', Body: 'k' }, undefined, otherAccount), 404, 20404);
  });

  it('missing or invalid parameters → Twilio error codes', async () => {
    expectTwilioError(await rawCreate({ From: '+15005550006', Body: 'x' }), 400, 21604);
    expectTwilioError(await rawCreate({ To: '+14155550123', Body: 'x' }), 400, 21603);
    expectTwilioError(await rawCreate({ To: '+14155550123', From: '+15005550006' }), 400, 21602);
    expectTwilioError(await rawCreate({ To: '0800 123', From: '+15005550006', Body: 'x' }), 400, 21211);
    expectTwilioError(await rawCreate({ To: '+14155550123', From: '+14155559999', Body: 'x' }), 400, 21606);
    expect((await rawCreate({ To: '+14155550123', From: '+14155550100', Body: 'configured number' })).status).toBe(201);
  });

  it.each([
    ['+15005550001', 21211],
    ['+15005550002', 21612],
    ['+15005550003', 21408],
    ['+15005550004', 21610],
    ['+15005550009', 21614],
  ])('magic To %s → 400/%i', async (to, code) => {
    expectTwilioError(await rawCreate({ To: to, From: '+15005550006', Body: 'magic' }), 400, code);
  });

  it('GET Accounts/{Sid}.json → Account schema, never the auth token', async () => {
    const response = await fetch(`${fake.url}/2010-04-01/Accounts/${ACCOUNT_SID}.json`, { headers: { authorization: basic(ACCOUNT_SID, AUTH_TOKEN) } });
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expectValid(validators.account, body);
    expectExactlyDeclared(accountSchema, body);
    expect(body.sid).toBe(ACCOUNT_SID);
    expect(body.auth_token).toBeNull();
    const refused = await fetch(`${fake.url}/2010-04-01/Accounts/${ACCOUNT_SID}.json`, { headers: { authorization: basic(ACCOUNT_SID, 'nope') } });
    expect(refused.status).toBe(401);
  });

  it('faults: status with times, connection reset, and the control endpoints', async () => {
    fake.setFault({ kind: 'status', status: 500, times: 1 });
    expectTwilioError(await rawCreate({ To: '+14155550123', From: '+15005550006', Body: 'a' }), 500, 20500);
    expect((await rawCreate({ To: '+14155550123', From: '+15005550006', Body: 'b' })).status).toBe(201);

    const set = await fetch(`${fake.url}/__fake/faults`, { method: 'POST', body: JSON.stringify({ kind: 'reset', times: 1 }) });
    expect(set.status).toBe(200);
    await expect(rawCreate({ To: '+14155550123', From: '+15005550006', Body: 'c' })).rejects.toThrow();
    const listed = (await (await fetch(`${fake.url}/__fake/messages`)).json()) as { messages: Array<{ response: { status: unknown } }> };
    expect(listed.messages.map((m) => m.response.status)).toEqual([500, 201, 'reset']);
    expect((await fetch(`${fake.url}/__fake/messages`, { method: 'DELETE' })).status).toBe(204);
    expect(fake.received()).toHaveLength(0);
    expect((await fetch(`${fake.url}/__fake/faults`, { method: 'POST', body: '{"kind":"explode"}' })).status).toBe(400);
  });

  it('deliver() POSTs a form-encoded StatusCallback signed like Twilio', async () => {
    const { createServer } = await import('node:http');
    const calls: Array<{ signature: string | undefined; contentType: string | undefined; body: string }> = [];
    const sink = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        calls.push({ signature: req.headers['x-twilio-signature'] as string | undefined, contentType: req.headers['content-type'], body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', () => resolve()));
    const port = (sink.address() as { port: number }).port;
    const callbackUrl = `http://127.0.0.1:${port}/hook?x=1`;
    const created = await rawCreate({ To: '+14155550123', From: '+15005550006', Body: 'cb', StatusCallback: callbackUrl });
    const result = await fake.deliver(created.body.sid, 'delivered');
    sink.close();
    expect(result).toEqual({ callbackUrl, statusCode: 204 });
    const params = Object.fromEntries(new URLSearchParams(calls[0]!.body));
    expect(params).toMatchObject({ MessageSid: created.body.sid, MessageStatus: 'delivered', AccountSid: ACCOUNT_SID });
    expect(calls[0]!.contentType).toBe('application/x-www-form-urlencoded');
    expect(calls[0]!.signature).toBe(signTwilioRequest(AUTH_TOKEN, callbackUrl, params));
  });
});

describe('the product\'s Twilio client (official SDK) against the fake', () => {
  function providerWith(overrides: Partial<TwilioConfig> = {}) {
    const config: TwilioConfig = {
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
      apiKeySid: undefined,
      apiKeySecret: undefined,
      fromNumber: '+15005550006',
      messagingServiceSid: undefined,
      apiBaseUrl: fake.url,
      timeoutMs: 2_000,
      ...overrides,
    };
    const resolved = resolveTwilioSettings(config);
    if (!resolved.configured) throw new Error(resolved.problems.join('; '));
    return createTwilioSmsProvider(resolved.settings, () => createTwilioHttpClient(resolved.settings));
  }

  it('sends a conforming form request with basic auth and reads the 201 Message', async () => {
    const callback = 'https://proofgate.example.com/api/integrations/twilio/status-callback';
    const result = await providerWith().sendSms({ to: '+14155550123', body: 'from the SDK', statusCallback: callback });
    expect(result).toEqual({ ok: true, providerMessageId: expect.stringMatching(/^SM[0-9a-f]{32}$/), status: 'queued' });
    const [request] = fake.received();
    expect(request!.authUser).toBe(ACCOUNT_SID);
    expect(request!.contentType).toBe('application/x-www-form-urlencoded');
    expect(request!.params).toEqual({ To: '+14155550123', From: '+15005550006', Body: 'from the SDK', StatusCallback: callback });
    expectRequestConforms(request!.params);
    expectValid(validators.message, (request!.response as { body: unknown }).body);
  });

  it('uses the API key pair (with the account SID in the path) and a Messaging Service', async () => {
    const provider = providerWith({ apiKeySid: API_KEY.sid, apiKeySecret: API_KEY.secret, fromNumber: undefined, messagingServiceSid: `MG${'c3'.repeat(16)}` });
    expect((await provider.sendSms({ to: '+14155550123', body: 'key' })).ok).toBe(true);
    const [request] = fake.received();
    expect(request!.authUser).toBe(API_KEY.sid);
    expect(request!.path).toBe(`/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`);
    expectRequestConforms(request!.params);
    expect(await provider.checkCredentials()).toEqual({ ok: true });
  });

  it('classifies answers: magic number and bad credentials are rejected, 5xx / timeout / reset unavailable', async () => {
    expect(await providerWith().sendSms({ to: '+15005550002', body: 'x' })).toEqual({
      ok: false,
      failure: { kind: 'rejected', providerErrorCode: '21612', httpStatus: 400 },
    });
    const wrong = providerWith({ authToken: 'not-the-token' });
    expect(await wrong.sendSms({ to: '+14155550123', body: 'x' })).toEqual({ ok: false, failure: { kind: 'rejected', providerErrorCode: '20003', httpStatus: 401 } });
    expect(await wrong.checkCredentials()).toEqual({ ok: false, failure: { kind: 'rejected', providerErrorCode: '20003', httpStatus: 401 } });

    fake.setFault({ kind: 'status', status: 500 });
    expect(await providerWith().sendSms({ to: '+14155550123', body: 'x' })).toEqual({
      ok: false,
      failure: { kind: 'unavailable', providerErrorCode: '20500', httpStatus: 500 },
    });
    fake.setFault({ kind: 'delay', ms: 1_000 });
    const started = Date.now();
    expect(await providerWith({ timeoutMs: 150 }).sendSms({ to: '+14155550123', body: 'x' })).toEqual({
      ok: false,
      failure: { kind: 'unavailable', providerErrorCode: 'TIMEOUT', httpStatus: null },
    });
    expect(Date.now() - started).toBeLessThan(900);
    fake.setFault({ kind: 'reset' });
    expect(await providerWith().sendSms({ to: '+14155550123', body: 'x' })).toEqual({
      ok: false,
      failure: { kind: 'unavailable', providerErrorCode: 'CONNECTION_ERROR', httpStatus: null },
    });
  });

  it('retries a 429 with the SDK\'s backoff and then succeeds', async () => {
    fake.setFault({ kind: 'status', status: 429, times: 2 });
    const result = await providerWith().sendSms({ to: '+14155550123', body: 'retry' });
    expect(result.ok).toBe(true);
    expect(fake.received().map((r) => r.response.status)).toEqual([429, 429, 201]);
  });

  it('a callback signed by the fake passes the SDK\'s validateRequest; a tampered one does not', () => {
    const url = 'https://proofgate.example.com/api/integrations/twilio/status-callback';
    const params = { MessageSid: `SM${'e5'.repeat(16)}`, MessageStatus: 'delivered', AccountSid: ACCOUNT_SID };
    const signature = signTwilioRequest(AUTH_TOKEN, url, params);
    expect(twilio.validateRequest(AUTH_TOKEN, signature, url, params)).toBe(true);
    expect(twilio.validateRequest(AUTH_TOKEN, signature, url, { ...params, MessageStatus: 'failed' })).toBe(false);
  });
});
