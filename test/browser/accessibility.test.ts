import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTotpCode } from '../../src/server/twofactor/totp';
import { grantAdmin, STRONG_PASSWORD, startTestServer, uniqueEmail, type TestServer } from '../support/test-server';
import type { TwilioFake } from '../../tools/twilio-fake';
import { freePort } from '../support/processes';
import { startFake, twilioEnv } from '../support/twilio';
import { auditScreen, describeFindings } from './support/axe';
import { launchWithPage, submitSignIn, type ChromiumPage, type ConsoleWatch } from './support/browser';
import { reportSceneOnFailure } from './support/failure-report';

/**
 * axe-core on every screen and state, at 1280×800 and 390×844, in the light and the dark colour
 * scheme: any serious or critical finding fails. Screenshots of each state land in
 * test-results/screenshots/a11y-*.png (masked like every other screenshot).
 */
let server: TestServer;
let fakeTwilio: TwilioFake;
let chromium: ChromiumPage | undefined;
let page: Page;
let watch: ConsoleWatch;

const email = uniqueEmail('a11y');
const adminEmail = uniqueEmail('a11y-admin');
let secret = '';

function nextTotp(): string {
  server.clock.advanceSeconds(30);
  return generateTotpCode(secret, server.clock.nowMs());
}

async function expectAccessible(name: string) {
  const findings = await auditScreen(page, `a11y-${name}`);
  expect(describeFindings(findings), name).toEqual([]);
}

async function signIn(who: string) {
  await page.goto(`${server.url}/sign-in`);
  await submitSignIn(page, who, STRONG_PASSWORD);
}

beforeAll(async () => {
  fakeTwilio = await startFake();
  // PUBLIC_URL names the server's own port, so the fake's delivery reports reach it (status callback).
  const port = await freePort();
  server = await startTestServer({
    port,
    env: {
      SERVE_WEB: 'true',
      TWO_FACTOR_USER_MAX_FAILURES: '3',
      TWO_FACTOR_USER_LOCK_SECONDS: '900',
      ...twilioEnv(fakeTwilio, { PUBLIC_URL: `http://127.0.0.1:${port}` }),
    },
  });
  const registered = await server.client().post('/api/auth/register', { email: adminEmail, password: STRONG_PASSWORD });
  expect(registered.status).toBe(201);
  await grantAdmin(server, adminEmail);
  chromium = await launchWithPage(server.url);
  ({ page, watch } = chromium);
});

reportSceneOnFailure(() => ({ page, server, watch }));

afterAll(async () => {
  await chromium?.close();
  await server?.close();
  await fakeTwilio?.close();
});

describe('accessibility: zero serious or critical axe findings on every screen', () => {
  it('the audit itself fails a page with too little contrast (so a pass means something)', async () => {
    await page.goto(`${server.url}/sign-in`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    // Grey #999 on white is 2.85:1, under the 4.5:1 WCAG AA asks of body text.
    await page.evaluate(`document.querySelector('h1').style.color = '#999999'`);
    const findings = await auditScreen(page, 'a11y-self-check');
    expect(findings.some((f) => f.rule === 'color-contrast' && f.impact === 'serious')).toBe(true);
  });

  it('sign-in, empty and after a refused password', async () => {
    await page.goto(`${server.url}/sign-in`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await expectAccessible('sign-in');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password', { exact: true }).fill('not-the-password-at-all');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: /incorrect/ }).waitFor();
    await expectAccessible('sign-in-error');
  });

  it('sign-up, with the app\'s own validation message', async () => {
    await page.goto(`${server.url}/sign-up`);
    await page.getByRole('heading', { name: 'Create an account' }).waitFor();
    await expectAccessible('sign-up');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password', { exact: true }).fill('short');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByText(/at least 12 characters/).first().waitFor();
    await expectAccessible('sign-up-invalid');
    await page.getByLabel('Password', { exact: true }).fill(STRONG_PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Security settings' }).waitFor();
  });

  it('settings with two-factor off, the 404 page and the 403 page', async () => {
    await page.getByTestId('two-factor-state').waitFor();
    await expectAccessible('settings-2fa-off');
    await page.goto(`${server.url}/no-such-page`);
    await page.getByRole('heading', { name: /not found/i }).waitFor();
    await expectAccessible('not-found');
    await page.goto(`${server.url}/ops/alerts`);
    await page.getByTestId('not-allowed').waitFor();
    await expectAccessible('not-allowed');
  });

  it('two-factor setup: the key, a refused code, the backup codes, and two-factor on', async () => {
    await page.goto(`${server.url}/settings/security`);
    await page.getByRole('button', { name: 'Set up two-factor' }).click();
    await page.getByTestId('manual-key').waitFor();
    secret = ((await page.getByTestId('manual-key').textContent()) ?? '').replace(/\s+/g, '');
    await expectAccessible('setup');
    await page.getByLabel('Code from your app').fill(generateTotpCode(secret, server.clock.nowMs() + 10 * 60_000));
    await page.getByRole('button', { name: 'Turn on two-factor' }).click();
    await page.getByRole('alert').filter({ hasText: /not correct/ }).waitFor();
    await expectAccessible('setup-wrong-code');
    await page.getByLabel('Code from your app').fill(generateTotpCode(secret, server.clock.nowMs()));
    await page.getByRole('button', { name: 'Turn on two-factor' }).click();
    await page.getByTestId('backup-codes').waitFor();
    await expectAccessible('backup-codes');
    await page.getByLabel('I have saved these backup codes somewhere safe').check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect.poll(() => page.getByTestId('two-factor-state').textContent()).toBe('On');
    await expectAccessible('settings-2fa-on');
  });

  it('the regenerate, turn-off and password dialogs, open', async () => {
    await page.getByRole('button', { name: 'New backup codes' }).click();
    await page.getByRole('dialog').waitFor();
    await expectAccessible('regenerate-dialog');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByRole('dialog').count()).toBe(0);

    await page.getByRole('button', { name: 'Turn off two-factor' }).click();
    await page.getByRole('alertdialog').waitFor();
    await expectAccessible('disable-dialog');

    server.clock.advanceSeconds(601); // the session is no longer fresh: the password prompt opens
    await page.getByRole('alertdialog').getByLabel('Code from your authenticator app').fill(nextTotp());
    await page.getByRole('alertdialog').getByRole('button', { name: 'Turn off', exact: true }).click();
    await page.getByRole('dialog', { name: 'Confirm your password' }).waitFor();
    await expectAccessible('password-prompt');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByRole('dialog').count()).toBe(0);
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByRole('alertdialog').count()).toBe(0);
  });

  it('the second-factor step, its backup-code form, and the lockout', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await signIn(email);
    await page.getByRole('heading', { name: 'Two-factor authentication' }).waitFor();
    await expectAccessible('second-step');
    await page.getByRole('button', { name: 'Use a backup code instead' }).click();
    await page.getByLabel('Backup code').waitFor();
    await expectAccessible('second-step-backup');
    await page.getByRole('button', { name: 'Use your authenticator app instead' }).click();
    const codeField = page.getByLabel('Authentication code');
    for (let attempt = 0; attempt < 3; attempt += 1) {
      await codeField.fill(String(100000 + attempt));
      await page.getByRole('button', { name: 'Verify' }).click();
      await page.getByRole('alert').waitFor();
      if (attempt === 0) await expectAccessible('second-step-wrong-code');
    }
    await page.getByTestId('lockout').waitFor();
    await expectAccessible('lockout');
  });

  it('System status and OpsAlerts, before and after a test SMS', async () => {
    await page.goto(`${server.url}/sign-in`);
    await signIn(adminEmail);
    await page.getByRole('heading', { name: 'Security settings' }).waitFor();
    await page.goto(`${server.url}/ops/status`);
    await page.getByTestId('system-state').waitFor();
    await page.getByTestId('checks').waitFor();
    await expectAccessible('system-status');
    await page.goto(`${server.url}/ops/alerts`);
    await page.getByTestId('integration-twilio').waitFor();
    await expectAccessible('ops-alerts');
    await page.getByLabel('Phone number').fill('+15005550006');
    await page.getByRole('button', { name: 'Send test SMS' }).click();
    await page.getByTestId('sms-result').waitFor();
    const traceId = ((await page.getByTestId('trace-id').textContent()) ?? '').trim();
    const sid = ((await page.getByTestId('provider-message-id').textContent()) ?? '').trim();
    const row = page.getByTestId('recent-send').filter({ hasText: traceId });
    await row.waitFor();
    expect(await row.textContent()).toContain('Sent, no report yet');
    expect(await row.textContent()).toMatch(/\+1\*+0006/);
    await expectAccessible('ops-alerts-sent');
    // Twilio's signed delivery report arrives; the list, polling while a report is due, shows it.
    expect((await fakeTwilio.deliver(sid, 'delivered')).statusCode).toBe(204);
    await row.getByText('Delivered').waitFor({ timeout: 15_000 });
    await expectAccessible('ops-alerts-delivered');
  });

  it('logged no console errors and no CSP violations (axe runs outside the CSP)', () => {
    expect(watch.cspViolations).toEqual([]);
    expect(watch.errors).toEqual([]);
  });
});
