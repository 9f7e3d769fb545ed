import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerAndLogin, startTestServer, uniqueEmail, type TestServer } from '../support/test-server';
import { enableTwoFactor, startTwoFactorLogin, totpNextStep, totpNow } from '../support/two-factor';

const run = promisify(execFile);

/**
 * The whole user story runs with known canary values while every log line, telemetry event,
 * error body and security event is captured, plus a dump of the database (pg_dump for
 * PostgreSQL, the raw data folder for PGlite — every page, dead tuples included). None of the
 * raw values may appear anywhere; the TOTP secret and backup codes only as ciphertext/hashes.
 */
const CANARY_PASSWORD = 'canary-pass-9f4e2a71c0d3';

let server: TestServer;
const canaries = new Map<string, string>();
const errorBodies: string[] = [];

beforeAll(async () => {
  server = await startTestServer({ env: { LOG_LEVEL: 'trace' } });
});
afterAll(async () => {
  await server?.close();
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
  it('no password, TOTP secret, backup code, temp token or session token appears in logs, errors, events or the database', async () => {
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

    const securityEvents = JSON.stringify(await server.proofgate.database.query('select * from security_events'));
    const database = databaseWhileEnabled + (await databaseBytes());
    const sources: Record<string, string> = {
      'log lines (incl. telemetry)': server.logs.join('\n'),
      'error bodies': errorBodies.join('\n'),
      'security events': securityEvents,
      'database dump': database,
    };
    expect(server.logs.length).toBeGreaterThan(30);
    expect(server.logs.some((l) => l.includes('"channel":"telemetry"'))).toBe(true);
    expect(errorBodies.length).toBeGreaterThanOrEqual(9);
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
