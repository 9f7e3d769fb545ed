import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SmtpFake } from '../../tools/smtp-fake';
import { flushMail, smtpEnv, startSmtp } from '../support/smtp';
import { freePort } from '../support/processes';
import { registerAndLogin, startTestServer, type TestServer } from '../support/test-server';
import { launchWithPage, readBrowserStorage, snap, submitSignIn, type ChromiumPage, type ConsoleWatch } from './support/browser';
import { reportSceneOnFailure } from './support/failure-report';

/**
 * Forgot password, as a person does it in real Chromium: "Forgot password?" on sign-in, the
 * mail opened in the SMTP fake's mailbox page, its link followed to "Set a new password", then
 * sign-in with the new password. The link's token never stays in the address bar or storage.
 */
const NEW_PASSWORD = 'reset from the mailbox 2026';

let fake: SmtpFake;
let server: TestServer;
let chromium: ChromiumPage | undefined;
let page: Page;
let watch: ConsoleWatch;

beforeAll(async () => {
  fake = await startSmtp();
  // A free port, so PUBLIC_URL (the base of reset links) can name the server before it listens.
  const port = await freePort();
  server = await startTestServer({ port, env: { ...smtpEnv(fake, { PUBLIC_URL: `http://127.0.0.1:${port}` }), SERVE_WEB: 'true' } });
  chromium = await launchWithPage(server.url);
  ({ page, watch } = chromium);
});
reportSceneOnFailure(() => ({ page, server, watch }));

afterAll(async () => {
  await chromium?.close();
  await server?.close();
  await fake?.close();
});

describe('password reset in the browser', () => {
  it('asks for a link on sign-in, follows it from the mailbox, sets a new password and signs in with it', async () => {
    const { client: oldSession, email } = await registerAndLogin(server);

    await page.goto(`${server.url}/sign-in`);
    await page.getByRole('link', { name: 'Forgot password?' }).click();
    await page.getByRole('heading', { name: 'Forgot your password?' }).waitFor();
    await page.getByLabel('Email').fill(email);
    await page.getByRole('button', { name: 'Send reset link' }).click();
    await page.getByText('a reset link is on its way').waitFor();
    await snap(page, 'password-reset-01-requested');

    await flushMail(server);
    await page.goto(`${fake.webUrl}/`);
    await page.getByRole('link', { name: 'Proofgate: Reset your password' }).click();
    await page.getByRole('link', { name: 'Open the HTML part' }).click();
    await page.getByRole('link', { name: 'Set a new password' }).click();

    await page.getByRole('heading', { name: 'Set a new password' }).waitFor();
    const landed = new URL(page.url());
    expect(landed.origin).toBe(server.url);
    expect(landed.pathname).toBe('/reset-password');
    // The token was read from the fragment and taken out of the address bar.
    expect(landed.hash).toBe('');
    await snap(page, 'password-reset-02-set-new-password');

    await page.locator('#new-password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Set new password' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByText('Your new password is set').waitFor();
    expect((await oldSession.get('/api/auth/me')).status).toBe(401);

    await submitSignIn(page, email, NEW_PASSWORD);
    await page.getByRole('heading', { name: 'Security settings' }).waitFor();

    const storage = await readBrowserStorage(page);
    const token = /#token=([A-Za-z0-9_-]{43})/.exec(fake.messages().find((m) => m.subject.includes('Reset your password'))!.text)![1]!;
    expect(storage).not.toContain(token);
    expect(server.logs.join('\n')).not.toContain(token);
    expect(watch.cspViolations).toEqual([]);
    expect(watch.errors).toEqual([]);
  });

  it('an unknown or used link says so and offers a new one', async () => {
    await page.goto(`${server.url}/reset-password#token=${'A'.repeat(43)}`);
    await page.locator('#new-password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Set new password' }).click();
    await page.getByRole('alert').filter({ hasText: /not valid or was already used/ }).waitFor();
    await page.getByRole('link', { name: 'Ask for a new link' }).waitFor();
    expect(watch.cspViolations).toEqual([]);
  });
});
