import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userGrantAdmin, userRevokeAdmin } from '../../src/server/cli/user-commands';
import { ConfigError, loadConfig } from '../../src/server/config';
import { registerAndLogin, startTestServer, STRONG_PASSWORD, uniqueEmail, type TestServer } from '../support/test-server';
import { registerAdmin } from '../support/twilio';
import { enableTwoFactor } from '../support/two-factor';

/**
 * Admins are made, never self-made: the role comes only from the database, set by the
 * operator's CLI, each grant and revoke a security event; admin routes can demand AAL2.
 */

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

describe('self-made admins', () => {
  it('ADMIN_EMAILS cannot grant admin to whoever registers the address first: the server refuses to start with it', () => {
    let thrown: unknown;
    try {
      loadConfig({ NODE_ENV: 'test', ADMIN_EMAILS: 'ops@corp.io' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).problems.join('\n')).toMatch(/^ADMIN_EMAILS no longer grants admin rights.*user:grant-admin/);
  });

  it('a self-registered account is never an admin, whatever its email looks like, and admin routes answer 403 FORBIDDEN', async () => {
    const { client } = await registerAndLogin(server, ` OPS.${Date.now()}@Corp.io `);
    const me = await client.get('/api/auth/me');
    expect(me.body.user).toMatchObject({ role: 'user', is_admin: false });
    for (const path of ['/api/system/status', '/api/integrations/status']) {
      const refused = await client.get(path);
      expect(refused.status, path).toBe(403);
      expect(refused.body.error_code).toBe('FORBIDDEN');
    }
    const sms = await client.post('/api/alerts/sms/test', { to: '+14155550100' });
    expect(sms.status).toBe(403);
  });
});

describe('the CLI grants and revokes, audited', () => {
  it('user:grant-admin makes an existing user an admin at once; user:revoke-admin takes it away on the next request', async () => {
    const email = uniqueEmail('granted');
    const { client } = await registerAndLogin(server, email);
    expect((await client.get('/api/system/status')).status).toBe(403);

    expect((await userGrantAdmin(server.proofgate.services, ['--email', email])).output).toBe(`granted admin to ${email}`);
    expect((await client.get('/api/system/status')).status).toBe(200);
    expect((await client.get('/api/auth/me')).body.user.is_admin).toBe(true);

    expect((await userRevokeAdmin(server.proofgate.services, ['--email', email])).output).toBe(`revoked admin from ${email}`);
    const refused = await client.get('/api/system/status');
    expect(refused.status).toBe(403);
    expect(refused.body.error_code).toBe('FORBIDDEN');

    const events = (await client.get('/api/auth/security-events')).body.events.map((e: { type: string }) => e.type);
    expect(events).toContain('admin.role_granted');
    expect(events).toContain('admin.role_revoked');
  });
});

describe('ADMIN_REQUIRE_2FA', () => {
  let strict: TestServer;
  beforeAll(async () => {
    strict = await startTestServer({ env: { ADMIN_REQUIRE_2FA: 'true' } });
  });
  afterAll(async () => {
    await strict?.close();
  });

  it('defaults to on in production and off elsewhere', () => {
    const base = { APP_ENC_KEY: Buffer.alloc(32, 1).toString('base64') };
    expect(loadConfig({ ...base, NODE_ENV: 'production' }).adminRequire2fa).toBe(true);
    expect(loadConfig({ ...base, NODE_ENV: 'development' }).adminRequire2fa).toBe(false);
    expect(loadConfig({ ...base, NODE_ENV: 'production', ADMIN_REQUIRE_2FA: 'false' }).adminRequire2fa).toBe(false);
  });

  it('an admin without 2FA is told to set it up (403 TWO_FACTOR_REQUIRED) and is listed in System status; with 2FA the admin pages open', async () => {
    const admin = await registerAdmin(strict, uniqueEmail('strict-admin'), STRONG_PASSWORD, { twoFactor: false });
    const refused = await admin.client.get('/api/system/status');
    expect(refused.status).toBe(403);
    expect(refused.body.error_code).toBe('TWO_FACTOR_REQUIRED');
    expect(refused.body.detail).toMatch(/set it up/);
    expect((await admin.client.get('/api/auth/me')).status).toBe(200);

    const other = await registerAdmin(strict, uniqueEmail('lagging-admin'), STRONG_PASSWORD, { twoFactor: false });
    await enableTwoFactor(strict, admin.client);
    const status = await admin.client.get('/api/system/status');
    expect(status.status).toBe(200);
    const blocker = status.body.blockers.find((b: { code: string }) => b.code === 'ADMIN_WITHOUT_2FA');
    expect(blocker).toMatchObject({ severity: 'blocked' });
    expect(blocker.message).toContain(other.email);
    expect(blocker.message).not.toContain(admin.email);
  });
});
