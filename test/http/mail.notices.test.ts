import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeMail, SmtpFake } from '../../tools/smtp-fake';
import { FAKE_SMTP_PASSWORD, mailTo, resetTokenFor, smtpEnv, startSmtp, TEST_PUBLIC_URL } from '../support/smtp';
import { registerAndLogin, startTestServer, STRONG_PASSWORD, type TestServer } from '../support/test-server';
import { SoftwareAuthenticator } from '../support/passkey-authenticator';
import { addPasskey } from '../support/passkeys';
import { enableTwoFactor, startTwoFactorLogin, totpNextStep, wrongTotpNow } from '../support/two-factor';

/**
 * Security notices, sent over real SMTP (nodemailer → the SMTP fake): each arrives once, says
 * what happened, and carries no secret — not the password, TOTP secret, codes, session cookie
 * or the SMTP password — anywhere in the raw message.
 */
let fake: SmtpFake;
let server: TestServer;

beforeAll(async () => {
  fake = await startSmtp();
  server = await startTestServer({ env: { ...smtpEnv(fake), TWO_FACTOR_USER_MAX_FAILURES: '3' } });
});
afterAll(async () => {
  await server?.close();
  await fake?.close();
});

const NEW_PASSWORD = 'a freshly chosen passphrase 77';

function expectNoSecrets(mails: FakeMail[], secrets: string[]) {
  for (const mail of mails) {
    for (const secret of [...secrets, FAKE_SMTP_PASSWORD]) expect(mail.raw).not.toContain(secret);
    // No tracking: no images, no links at all in a notice.
    expect(mail.html).not.toMatch(/<img|<a\s/i);
    expect(mail.text).not.toMatch(/https?:\/\//);
  }
}

const subjects = (mails: FakeMail[]) => mails.map((m) => m.subject.replace(/^Proofgate: /, ''));

describe('security notices by email', () => {
  it('2FA on, backup codes regenerated, 2FA off and password changed: one notice each, in plain text and HTML, without secrets', async () => {
    const { client, email, password } = await registerAndLogin(server);
    const sessionCookie = [...client.cookies.values()].join(' ');
    const enabled = await enableTwoFactor(server, client);
    const regenerated = await client.post('/api/auth/2fa/backup-codes/regenerate', { code: totpNextStep(server, enabled.secret) });
    expect(regenerated.status).toBe(200);
    const disabled = await client.post('/api/auth/2fa/disable', { code: totpNextStep(server, enabled.secret) });
    expect(disabled.status).toBe(200);
    const changed = await client.post('/api/auth/password', { current_password: password, new_password: NEW_PASSWORD });
    expect(changed.status).toBe(200);

    const mails = await mailTo(server, fake, email);
    expect(subjects(mails)).toEqual([
      'New sign-in to your account',
      'Two-factor authentication was turned on',
      'New backup codes were created',
      'Two-factor authentication was turned off',
      'Your password was changed',
    ]);
    for (const mail of mails) {
      expect(mail.from).toContain('no-reply@proofgate.test');
      expect(mail.text).toContain('If this was not you');
      expect(mail.html).toContain('If this was not you');
      expect(mail.text).toContain('IP address: 127.0.0.1');
    }
    expectNoSecrets(mails, [
      password,
      NEW_PASSWORD,
      enabled.secret,
      ...enabled.backupCodes,
      ...(regenerated.body.backup_codes as string[]),
      sessionCookie,
      ...[...client.cookies.values()],
    ]);
  });

  it('sign-in from a new browser is told once; the same browser signing in again is not', async () => {
    const { email } = await registerAndLogin(server);
    await mailTo(server, fake, email);
    fake.clear();
    const other = server.client();
    expect((await other.post('/api/auth/login', { email, password: STRONG_PASSWORD })).status).toBe(200);
    expect((await other.post('/api/auth/logout')).status).toBe(204);
    expect((await other.post('/api/auth/login', { email, password: STRONG_PASSWORD })).status).toBe(200);
    const mails = await mailTo(server, fake, email);
    expect(subjects(mails)).toEqual(['New sign-in to your account']);
    expect(mails[0]!.text).toContain('had not signed in before');
  });

  it('a 2FA account: the new-device notice comes after the second factor, not after the password alone', async () => {
    const { client, email, secret } = await (async () => {
      const user = await registerAndLogin(server);
      const enabled = await enableTwoFactor(server, user.client);
      return { ...user, secret: enabled.secret };
    })();
    await client.post('/api/auth/logout');
    await mailTo(server, fake, email);
    fake.clear();
    const { client: browser, tempToken } = await startTwoFactorLogin(server, email);
    expect(await mailTo(server, fake, email)).toEqual([]);
    const verify = await browser.post('/api/auth/2fa/verify', { temp_token: tempToken, code: totpNextStep(server, secret) });
    expect(verify.status).toBe(200);
    expect(subjects(await mailTo(server, fake, email))).toEqual(['New sign-in to your account']);
  });

  it('too many wrong second-factor codes lock the account and the owner is told', async () => {
    const { client, email } = await registerAndLogin(server);
    const { secret } = await enableTwoFactor(server, client);
    await client.post('/api/auth/logout');
    await mailTo(server, fake, email);
    fake.clear();
    let locked = false;
    for (let attempt = 0; attempt < 6 && !locked; attempt += 1) {
      const { client: browser, tempToken } = await startTwoFactorLogin(server, email);
      const verify = await browser.post('/api/auth/2fa/verify', { temp_token: tempToken, code: wrongTotpNow(server, secret) });
      locked = verify.body.error_code === 'TWO_FACTOR_LOCKED';
    }
    expect(locked).toBe(true);
    const mails = await mailTo(server, fake, email);
    expect(subjects(mails)).toEqual(['Sign-in to your account is temporarily locked']);
    expectNoSecrets(mails, [STRONG_PASSWORD, secret]);
  });

  it('adding and removing a passkey each mail a notice (the first passkey also turns two-factor on, removing the last turns it off)', async () => {
    const { client, email } = await registerAndLogin(server);
    // WebAuthn's origin is PUBLIC_URL's, which this server has (its reset links need it).
    const added = await addPasskey(client, new SoftwareAuthenticator(TEST_PUBLIC_URL));
    const removed = await client.request('DELETE', `/api/auth/passkeys/${added.verify.id as string}`);
    expect(removed.status).toBe(200);
    const mails = await mailTo(server, fake, email);
    // Notices queued in one transaction share its timestamp, so their order is not defined.
    expect([...subjects(mails)].sort()).toEqual(
      [
        'New sign-in to your account',
        'A passkey was added to your account',
        'Two-factor authentication was turned on',
        'A passkey was removed from your account',
        'Two-factor authentication was turned off',
      ].sort(),
    );
    expectNoSecrets(mails, [...client.cookies.values()]);
  });
});

describe('MAIL_NOTICES_ACCOUNT_MAX_PER_HOUR: an inbox nobody verified cannot be flooded through one account', () => {
  const PER_HOUR = 2;
  let capped: TestServer;
  beforeAll(async () => {
    capped = await startTestServer({ env: { ...smtpEnv(fake), MAIL_NOTICES_ACCOUNT_MAX_PER_HOUR: String(PER_HOUR) } });
  });
  afterAll(async () => {
    await capped?.close();
  });

  it('signing in again and again from new browsers mails the hour\'s first notices and queues no more; other accounts and reset links are not counted', async () => {
    // Whoever registers an address (nobody verifies it) and knows the password can sign in from
    // a "new browser" as often as the sign-in throttles let a correct password through.
    const { email } = await registerAndLogin(capped);
    for (let i = 0; i < 4; i += 1) expect((await capped.client().post('/api/auth/login', { email, password: STRONG_PASSWORD })).status).toBe(200);
    expect(subjects(await mailTo(capped, fake, email))).toEqual(Array(PER_HOUR).fill('New sign-in to your account'));
    const queued = await capped.proofgate.database.query<{ n: number }>(
      'select count(*)::int as n from mail_outbox o join users u on u.id = o.user_id where u.email = $1',
      [email],
    );
    expect(queued[0]!.n).toBe(PER_HOUR);

    // A reset link is not a notice: it has its own throttles and still arrives.
    expect((await capped.client().post('/api/auth/password/forgot', { email })).status).toBe(202);
    expect(await resetTokenFor(capped, fake, email)).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const other = await registerAndLogin(capped);
    expect(subjects(await mailTo(capped, fake, other.email))).toEqual(['New sign-in to your account']);
  });
});
