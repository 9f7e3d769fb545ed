import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TwilioFake } from '../../tools/twilio-fake';
import { registerAndLogin, startTestServer, uniqueEmail, type TestServer } from '../support/test-server';
import { FAKE_AUTH_TOKEN, registerAdmin, startFake, twilioEnv } from '../support/twilio';
import { enableTwoFactor, startTwoFactorLogin, totpNextStep, totpNow } from '../support/two-factor';

const run = promisify(execFile);

/**
 * The whole user story runs with known canary values while every log line, telemetry event,
 * error body and security event is captured, plus a dump of the database (pg_dump for
 * PostgreSQL, the raw data folder for PGlite — every page, dead tuples included). None of the
 * raw values may appear anywhere; the TOTP secret and backup codes only as ciphertext/hashes.
 */
const CANARY_PASSWORD = 'canary-pass-9f4e2a71c0d3';
const CANARY_PHONE = '+14155550187';
const CANARY_SMS_BODY = 'canary body 77c1e0 never store me';
/** A premium-rate number: refused before Twilio, and still never written down in full. */
const CANARY_REFUSED_PHONE = '+19005550187';
const ADMIN_EMAIL = `canary-admin.${process.pid}@example.test`;

let fake: TwilioFake;
let server: TestServer;
const canaries = new Map<string, string>();
const errorBodies: string[] = [];

beforeAll(async () => {
  fake = await startFake();
  server = await startTestServer({ env: { LOG_LEVEL: 'trace', ...twilioEnv(fake) } });
});
afterAll(async () => {
  await server?.close();
  await fake?.close();
});

function remember(name: string, value: string | undefined) {
  if (!value) throw new Error(`canary ${name} missing`);
  canaries.set(name, value);
}

async function databaseBytes(): Promise<string> {
  if (server.database.pglite) {
    const dump = await server.database.pglite.dumpDataDir('none');
    return Buffer.from(await dump.arrayBuffer()).toString('latin1');
  }
  const { stdout } = await run('pg_dump', ['--data-only', '--inserts', server.database.databaseUrl!], { maxBuffer: 256 * 1024 * 1024 });
  return stdout;
}

describe('secret-leak canary', () => {
  it('no password, TOTP secret, backup code, temp token, session token, Twilio token, phone number or SMS body appears in logs, errors, events or the database', async () => {
    const email = uniqueEmail('canary');
    const { client } = await registerAndLogin(server, email, CANARY_PASSWORD);
    remember('password', CANARY_PASSWORD);
    remember('first session token', client.cookies.get('proofgate_session'));

    const { secret, backupCodes } = await enableTwoFactor(server, client);
    remember('totp secret', secret);
    remember('totp secret, lower case', secret.toLowerCase());
    backupCodes.forEach((code, i) => {
      remember(`backup code ${i}`, code);
      remember(`backup code ${i}, no dashes`, code.replace(/-/g, ''));
    });
    remember('session token after enabling', client.cookies.get('proofgate_session'));
    await client.post('/api/auth/logout');

    // Failures carrying the secrets in their bodies: none may be echoed back or logged.
    const collect = (response: { status: number; text: string }) => {
      if (response.status >= 400) errorBodies.push(response.text);
      return response;
    };
    collect(await server.client().post('/api/auth/login', { email, password: `${CANARY_PASSWORD}-wrong` }));
    collect(await server.client().post('/api/auth/login', { email: CANARY_PASSWORD, password: CANARY_PASSWORD }));
    collect(await server.client().post('/api/auth/register', { email, password: CANARY_PASSWORD }));
    collect(await server.client().post('/api/auth/register', { email: uniqueEmail(), password: secret, extra: CANARY_PASSWORD }));
    collect(await server.client().request('POST', '/api/auth/login', { raw: `{"email":"${email}","password":"${CANARY_PASSWORD}"`, headers: { 'content-type': 'application/json' } }));

    const { client: second, tempToken } = await startTwoFactorLogin(server, email, CANARY_PASSWORD);
    remember('temp token', tempToken);
    collect(await second.post('/api/auth/2fa/verify', { temp_token: tempToken, code: '000000' }));
    collect(await second.post('/api/auth/2fa/verify', { temp_token: tempToken, backup_code: 'zzzzz-zzzzz-zzzzz' }));
    collect(await second.post('/api/auth/2fa/verify', { temp_token: tempToken.slice(1), code: totpNow(server, secret) }));
    expect((await second.post('/api/auth/2fa/verify', { temp_token: tempToken, code: totpNextStep(server, secret) })).status).toBe(200);
    remember('session token after verify', second.cookies.get('proofgate_session'));
    collect(await second.post('/api/auth/2fa/verify', { temp_token: tempToken, backup_code: backupCodes[0] }));

    collect(await second.post('/api/auth/reauthenticate', { password: `${CANARY_PASSWORD}x` }));
    expect((await second.post('/api/auth/reauthenticate', { password: CANARY_PASSWORD })).status).toBe(200);
    remember('session token after reauthentication', second.cookies.get('proofgate_session'));
    const regenerated = await second.post('/api/auth/2fa/backup-codes/regenerate', { code: totpNextStep(server, secret) });
    (regenerated.body.backup_codes as string[]).forEach((code, i) => remember(`regenerated code ${i}`, code));
    // Dumped while 2FA is on (afterwards disabling deletes the rows) and again at the end.
    const databaseWhileEnabled = await databaseBytes();
    collect(await second.post('/api/auth/2fa/disable', { backup_code: backupCodes[1] }));
    expect((await second.post('/api/auth/2fa/disable', { backup_code: regenerated.body.backup_codes[2] })).status).toBe(200);
    remember('session token after disabling', second.cookies.get('proofgate_session'));
    await second.get('/api/auth/security-events');

    // The SMS path: the auth token, the full number and the message body.
    remember('twilio auth token', FAKE_AUTH_TOKEN);
    remember('full phone number', CANARY_PHONE);
    remember('phone number digits', CANARY_PHONE.slice(1));
    remember('sms body', CANARY_SMS_BODY);
    remember('refused phone number digits', CANARY_REFUSED_PHONE.slice(1));
    const { client: admin } = await registerAdmin(server, ADMIN_EMAIL, CANARY_PASSWORD);
    const sent = await admin.post('/api/alerts/sms/test', { to: CANARY_PHONE, note: CANARY_SMS_BODY });
    expect(sent.status).toBe(200);
    collect(await admin.post('/api/alerts/sms/test', { to: '+15005550001', note: CANARY_SMS_BODY }));
    fake.setFault({ kind: 'status', status: 500 });
    collect(await admin.post('/api/alerts/sms/test', { to: CANARY_PHONE, note: CANARY_SMS_BODY }));
    fake.setFault(null);
    collect(await admin.post('/api/alerts/sms/test', { to: `${CANARY_PHONE}x`, note: CANARY_SMS_BODY }));
    const refused = await admin.post('/api/alerts/sms/test', { to: CANARY_REFUSED_PHONE, note: CANARY_SMS_BODY });
    expect(refused.body.error_code).toBe('SMS_DESTINATION_NOT_ALLOWED');
    collect(refused);
    await admin.get('/api/integrations/status?refresh=1');
    await admin.get('/api/system/status');
    expect(fake.received().some((m) => m.params.Body?.endsWith(`Note: ${CANARY_SMS_BODY}`) && m.params.To === CANARY_PHONE), 'the fake did receive the real number and body').toBe(true);

    const securityEvents = JSON.stringify(await server.proofgate.database.query('select * from security_events'));
    const usageEvents = JSON.stringify(await server.proofgate.database.query('select * from integration_usage_events'));
    const database = databaseWhileEnabled + (await databaseBytes());
    const sources: Record<string, string> = {
      'log lines (incl. telemetry)': server.logs.join('\n'),
      'error bodies': errorBodies.join('\n'),
      'security events': securityEvents,
      'usage events': usageEvents,
      'database dump': database,
    };
    expect(server.logs.length).toBeGreaterThan(30);
    expect(server.logs.some((l) => l.includes('"channel":"telemetry"'))).toBe(true);
    expect(errorBodies.length).toBeGreaterThanOrEqual(12);
    expect(usageEvents).toContain('+1*******0187');
    expect(database.length).toBeGreaterThan(2_000);

    const leaks: string[] = [];
    for (const [sourceName, content] of Object.entries(sources)) {
      for (const [canaryName, value] of canaries) {
        if (content.includes(value)) leaks.push(`${canaryName} found in ${sourceName}`);
      }
    }
    expect(leaks).toEqual([]);
    // The secrets exist in the database only in their protected forms.
    expect(database).toMatch(/v1\.[0-9a-f]{16}\./);
    expect(database).toContain('$argon2id$v=19$m=19456,t=2,p=1$');
  });
});
