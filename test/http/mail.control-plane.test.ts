import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/server/config';
import type { SmtpFake } from '../../tools/smtp-fake';
import type { HttpClient } from '../support/http-client';
import { FAKE_SMTP_PASSWORD, FAKE_SMTP_USER, flushMail, mailTo, smtpEnv, startSmtp } from '../support/smtp';
import { registerAndLogin, type TestServer } from '../support/test-server';
import { startServerWithAdmin, usageRows } from '../support/twilio';

/**
 * SMTP in the control plane: configured / connected / proof of use like Twilio, usage events
 * with a trace_id per attempt, failures retried by the outbox (fake clock, no sleeping), logged
 * without secrets and shown on System status; the action that triggered a mail never fails.
 */
let fake: SmtpFake;
let server: TestServer;
let admin: HttpClient;

beforeAll(async () => {
  fake = await startSmtp();
  ({ server, admin } = await startServerWithAdmin({ env: smtpEnv(fake) }));
});
afterAll(async () => {
  await server?.close();
  await fake?.close();
});

async function smtpStatus(client: HttpClient, query = '') {
  const response = await client.get(`/api/integrations/status${query}`);
  expect(response.status).toBe(200);
  return (response.body.integrations as Array<Record<string, any>>).find((i) => i.name === 'smtp')!;
}

async function systemStatus(client: HttpClient) {
  const response = await client.get('/api/system/status?refresh=1');
  expect(response.status).toBe(200);
  return response.body as { status: string; blockers: Array<{ code: string; message: string; fix: string }>; checks: Record<string, { ok: boolean; detail?: string }> };
}

/** SMTP usage events of one user (the clock stands still, so created_at does not order them). */
const smtpUsage = async (userId: string) => (await usageRows(server)).filter((row) => row.integration === 'smtp' && row.actor_user_id === userId);

describe('SMTP in the integrations control plane', () => {
  it('configured, connected, and each delivered mail counts once as proof of use with a trace_id', async () => {
    await flushMail(server);
    const before = await smtpStatus(admin, '?refresh=1');
    expect(before).toMatchObject({ configured: true, connected: true, last_error_code: null });
    const countBefore = before.proof_of_use_count_24h as number;

    const { email, userId } = await registerAndLogin(server);
    const mails = await mailTo(server, fake, email);
    expect(mails).toHaveLength(1);
    const after = await smtpStatus(admin);
    expect(after.proof_of_use_count_24h).toBe(countBefore + 1);
    expect(after.last_used_at).toBe(new Date(server.clock.nowMs()).toISOString());
    const rows = await smtpUsage(userId);
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    expect(row).toMatchObject({ integration: 'smtp', action: 'mail.new_device_sign_in', status: 'success', trace_id: expect.stringMatching(/^[0-9a-f]{32}$/) });
    expect(row.masked_destination).toMatch(/^u\*\*\*@example\.test$/);
    expect((await systemStatus(admin)).checks.smtp).toMatchObject({ ok: true, detail: expect.stringMatching(/^connected/) });
  });

  it('a relay refusing for a while: the action succeeds, the failure is logged and shown, and the outbox retries after its backoff', async () => {
    const { client, email, password, userId } = await registerAndLogin(server);
    await mailTo(server, fake, email);
    fake.clear();
    fake.failNext(1, 451);
    const changed = await client.post('/api/auth/password', { current_password: password, new_password: 'relay trouble passphrase 5' });
    expect(changed.status).toBe(200);
    expect(await mailTo(server, fake, email)).toEqual([]);

    const failures = (await smtpUsage(userId)).filter((row) => row.status === 'failed');
    expect(failures).toHaveLength(1);
    const failed = failures[0]!;
    expect(failed).toMatchObject({ action: 'mail.password_changed', status: 'failed', provider_error_code: 'SMTP_451' });
    expect((await smtpStatus(admin)).last_error_code).toBe('SMTP_451');
    const logLine = server.logs.find((line) => line.includes('mail delivery failed') && line.includes(failed.trace_id));
    expect(logLine).toBeDefined();
    expect(logLine).not.toContain(email);
    const allLogs = server.logs.join('\n');
    expect(allLogs).not.toContain(FAKE_SMTP_PASSWORD);
    expect(allLogs).not.toContain('relay trouble passphrase 5');

    // Not due yet: nothing is sent before the backoff has passed.
    server.clock.advanceSeconds(10);
    expect(await mailTo(server, fake, email)).toEqual([]);
    server.clock.advanceSeconds(25);
    const retried = await mailTo(server, fake, email);
    expect(retried.map((m) => m.subject)).toEqual(['Proofgate: Your password was changed']);
    expect((await smtpStatus(admin)).last_error_code).toBeNull();
  });

  it('a permanent refusal is given up at once and System status says mail could not be delivered', async () => {
    await flushMail(server);
    fake.failNext(1, 550);
    const { email, userId } = await registerAndLogin(server);
    expect(await mailTo(server, fake, email)).toEqual([]);
    expect(await smtpUsage(userId)).toEqual([expect.objectContaining({ status: 'failed', provider_error_code: 'SMTP_550' })]);
    const [row] = await server.proofgate.database.query<{ status: string; payload: string }>('select status, payload from mail_outbox where user_id = $1', [userId]);
    // Given up, and the sealed message is wiped: nothing is kept that can no longer be sent.
    expect(row).toEqual({ status: 'failed', payload: '' });
    const report = await systemStatus(admin);
    expect(report.blockers.map((b) => b.code)).toContain('SMTP_DELIVERY_FAILED');
    expect(report.status).not.toBe('ok');
  });
});

describe('other SMTP configurations', () => {
  it('wrong relay password: configured but not connected, EAUTH-like error, SMTP_NOT_CONNECTED blocker, password never shown', async () => {
    const wrongUrl = fake.smtpUrl.replace(encodeURIComponent(FAKE_SMTP_PASSWORD), 'wrong-password-3b1');
    const started = await startServerWithAdmin({ env: smtpEnv(fake, { SMTP_URL: wrongUrl }) });
    try {
      const status = await smtpStatus(started.admin, '?refresh=1');
      expect(status).toMatchObject({ configured: true, connected: false });
      expect(status.last_error_code).toMatch(/^(EAUTH|SMTP_535)$/);
      const report = await systemStatus(started.admin);
      const blocker = report.blockers.find((b) => b.code === 'SMTP_NOT_CONNECTED')!;
      expect(blocker).toBeDefined();
      expect(JSON.stringify(report)).not.toContain('wrong-password-3b1');
      expect(started.server.logs.join('\n')).not.toContain('wrong-password-3b1');
    } finally {
      await started.server.close();
    }
  });

  it('not configured: SMTP_NOT_CONFIGURED names the variables, sign-in and changes still work', async () => {
    const started = await startServerWithAdmin();
    try {
      expect(await smtpStatus(started.admin)).toMatchObject({ configured: false, connected: false, proof_of_use_count_24h: 0 });
      const blocker = (await systemStatus(started.admin)).blockers.find((b) => b.code === 'SMTP_NOT_CONFIGURED')!;
      expect(blocker.message).toContain('SMTP_URL is not set');
      expect(blocker.fix).toContain('MAIL_FROM');
    } finally {
      await started.server.close();
    }
  });

  it('SMTP configured without PUBLIC_URL: reset links cannot be built, and status says so', async () => {
    const started = await startServerWithAdmin({ env: smtpEnv(fake, { PUBLIC_URL: undefined }) });
    try {
      expect((await systemStatus(started.admin)).blockers.map((b) => b.code)).toContain('PASSWORD_RESET_NO_PUBLIC_URL');
    } finally {
      await started.server.close();
    }
  });

  it('a malformed SMTP_URL or MAIL_FROM stops start-up naming the variable, never its value', () => {
    const base = { NODE_ENV: 'test', APP_ENC_KEY: Buffer.alloc(32, 7).toString('base64') };
    for (const [name, value] of [
      ['SMTP_URL', `http://${FAKE_SMTP_USER}:secret-in-url-9@relay`],
      ['MAIL_FROM', 'Proofgate <no-reply@x>\r\nBcc: someone@example.test'],
    ] as const) {
      try {
        loadConfig({ ...base, [name]: value });
        expect.unreachable(`${name} should be refused`);
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        const message = (error as ConfigError).message;
        expect(message).toContain(name);
        expect(message).not.toContain('secret-in-url-9');
        expect(message).not.toContain('someone@example.test');
      }
    }
  });
});
