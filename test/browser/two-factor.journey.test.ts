import fs from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTotpCode } from '../../src/server/twofactor/totp';
import { STRONG_PASSWORD, startTestServer, uniqueEmail, type TestServer } from '../support/test-server';
import { DESKTOP, focusedElement, launchChromium, MOBILE, openPage, readBrowserStorage, snap, type ConsoleWatch } from './support/browser';
import { reportSceneOnFailure } from './support/failure-report';

/**
 * What a person clicks, in real Chromium against a real server: sign up, turn on two-factor from
 * the key shown on the page, keep the backup codes (once), sign in with a code and with a backup
 * code, meet an expired sign-in and a lockout, confirm the password when the session is stale,
 * turn two-factor off. The server's clock is fake; the test plays the authenticator app with it.
 */
const LOCK_SECONDS = 6;

/** Admin-only endpoints: the UI hides them, and the API refuses them to this user. */
const adminPaths = ['/api/integrations/status', '/api/system/status'];

let server: TestServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let watch: ConsoleWatch;

const email = uniqueEmail('journey');
const password = STRONG_PASSWORD;
let secret = '';
let backupCodes: string[] = [];
/** Every temp token the API handed this browser: none may end up in a URL or in storage. */
const tempTokens: string[] = [];

/** The authenticator app: the next 30 s step's code, so no accepted step is ever replayed. */
function nextTotp(): string {
  server.clock.advanceSeconds(30);
  return generateTotpCode(secret, server.clock.nowMs());
}

async function signInWithPassword() {
  await page.goto(`${server.url}/sign-in`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('heading', { name: 'Two-factor authentication' }).waitFor();
}

async function signOut() {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await page.getByText('You are signed out.').waitFor();
}

async function expectSettingsPage() {
  await page.getByRole('heading', { name: 'Security settings' }).waitFor();
  expect(new URL(page.url()).pathname).toBe('/settings/security');
}

/** The alert the UI focused after a failure, with its text. */
async function expectFocusedAlert(text: RegExp) {
  const alert = page.getByRole('alert').filter({ hasText: text });
  await alert.waitFor();
  // Focus moves in an effect that runs just after the alert is painted: wait for it.
  await expect.poll(async () => (await focusedElement(page)).role).toBe('alert');
  expect((await focusedElement(page)).text).toMatch(text);
}

beforeAll(async () => {
  server = await startTestServer({
    env: {
      SERVE_WEB: 'true',
      TWO_FACTOR_USER_MAX_FAILURES: '3',
      TWO_FACTOR_TEMP_TOKEN_MAX_FAILURES: '5',
      TWO_FACTOR_USER_LOCK_SECONDS: String(LOCK_SECONDS),
    },
  });
  browser = await launchChromium();
  ({ context, page, watch } = await openPage(browser, server.url));
  page.on('response', async (response) => {
    if (!response.url().endsWith('/api/auth/login') || response.status() !== 200) return;
    const body = (await response.json().catch(() => ({}))) as { temp_token?: string };
    if (body.temp_token) tempTokens.push(body.temp_token);
  });
});

reportSceneOnFailure(() => ({ page, server, watch }));

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.close();
});

describe('two-factor authentication in the browser', () => {
  it('serves the UI under the strict CSP and sends a signed-out visitor to sign in', async () => {
    const response = await page.goto(`${server.url}/settings/security`);
    expect(response?.status()).toBe(200);
    const csp = response?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    await snap(page, 'sign-in');
  });

  it('signs up, which signs in and opens the security settings', async () => {
    await page.getByRole('link', { name: 'Create one' }).click();
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Create account' }).click();
    await expectSettingsPage();
    await expect.poll(() => page.getByTestId('two-factor-state').textContent()).toBe('Off');
    await expect.poll(() => page.getByTestId('signed-in-as').textContent()).toBe(email);
  });

  it('sets up TOTP from the QR code page: a wrong code is refused, the right one turns it on', async () => {
    await page.getByRole('button', { name: 'Set up two-factor' }).click();
    const qr = page.getByRole('img', { name: /QR code/ });
    await qr.waitFor();
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/png;base64,/);
    // The data: image really rendered (img-src allows data:), not just an element with a src.
    expect(await page.evaluate(`(() => { const img = document.querySelector('img[alt^="QR code"]'); return img.complete && img.naturalWidth > 0; })()`)).toBe(true);
    const shownKey = (await page.getByTestId('manual-key').textContent()) ?? '';
    expect(shownKey).toMatch(/^([A-Z2-7]{4} )+[A-Z2-7]{1,4}$/);
    secret = shownKey.replace(/\s+/g, '');
    await page.getByRole('button', { name: 'Copy key' }).waitFor();
    await page.getByRole('button', { name: 'Copy key' }).click();
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(secret);
    // The QR code and the key are on screen; the screenshot must hold neither (the proof re-checks the PNGs).
    // A phone cannot scan its own screen: there the QR is hidden and the key and an otpauth:// link lead.
    const [desktop, mobile] = await snap(page, 'setup-qr');
    expect(desktop!.boxes.map((b) => b.kind).sort()).toEqual(['totp-key', 'totp-qr']);
    expect(mobile!.boxes.map((b) => b.kind)).toEqual(['totp-key']);
    await page.setViewportSize(MOBILE);
    const openInApp = page.getByRole('link', { name: 'Open in authenticator app' });
    await openInApp.waitFor();
    expect(await openInApp.getAttribute('href')).toMatch(/^otpauth:\/\/totp\//);
    expect(await qr.isVisible()).toBe(false);
    await page.setViewportSize(DESKTOP);
    expect(await openInApp.isVisible()).toBe(false);

    const codeField = page.getByLabel('Code from your app');
    for (const [name, value] of Object.entries({ autocomplete: 'one-time-code', inputmode: 'numeric', pattern: '[0-9]*', maxlength: '6' })) {
      expect(await codeField.getAttribute(name)).toBe(value);
    }
    const wrong = generateTotpCode(secret, server.clock.nowMs() + 10 * 60_000);
    await codeField.fill(wrong);
    await page.getByRole('button', { name: 'Turn on two-factor' }).click();
    await expectFocusedAlert(/not correct/);

    await codeField.fill(generateTotpCode(secret, server.clock.nowMs()));
    await page.getByRole('button', { name: 'Turn on two-factor' }).click();
    await page.getByTestId('backup-codes').waitFor();
  });

  it('shows the 10 backup codes once, with copy and a .txt download, and needs "saved" ticked to continue', async () => {
    const codes = page.getByTestId('backup-code');
    await expect.poll(() => codes.count()).toBe(10);
    backupCodes = (await codes.allTextContents()).map((code) => code.trim());
    for (const code of backupCodes) expect(code).toMatch(/^[0-9a-z]{5}-[0-9a-z]{5}-[0-9a-z]{5}$/);
    expect(new Set(backupCodes).size).toBe(10);
    for (const manifest of await snap(page, 'backup-codes-once')) {
      expect(manifest.boxes.map((b) => b.kind)).toEqual(['backup-codes']);
    }

    await page.getByRole('button', { name: 'Copy codes' }).click();
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(backupCodes.join('\n'));

    const downloading = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download .txt' }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toBe('proofgate-backup-codes.txt');
    const file = fs.readFileSync((await download.path())!, 'utf8');
    for (const code of backupCodes) expect(file).toContain(code);

    const continueButton = page.getByRole('button', { name: 'Continue' });
    await expect.poll(() => continueButton.isDisabled()).toBe(true);
    await page.getByLabel('I have saved these backup codes somewhere safe').check();
    await expect.poll(() => continueButton.isEnabled()).toBe(true);
    await continueButton.click();
    await page.getByText('Backup codes saved. They will not be shown again.').waitFor();
    await expect.poll(() => page.getByTestId('backup-codes').count()).toBe(0);
  });

  it('never shows the codes again: a reload shows the status card', async () => {
    await page.reload();
    await expectSettingsPage();
    await expect.poll(() => page.getByTestId('two-factor-state').textContent()).toBe('On');
    await expect.poll(() => page.getByTestId('backup-codes-remaining').textContent()).toMatch(/^10 of 10/);
    await expect.poll(() => page.getByTestId('backup-codes').count()).toBe(0);
    const html = await page.content();
    for (const code of backupCodes) expect(html).not.toContain(code);
    expect(html).not.toContain(secret);
    await snap(page, 'settings-status');
  });

  it('signs out, then signs in with a TOTP code using only the keyboard', async () => {
    await signOut();
    await page.getByLabel('Email').focus();
    await page.keyboard.type(email);
    await page.keyboard.press('Tab');
    await page.keyboard.type(password);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Two-factor authentication' }).waitFor();
    await expect.poll(async () => (await focusedElement(page)).id).toBe('totp-code');
    await snap(page, 'second-step');
    await page.keyboard.type(nextTotp());
    await page.keyboard.press('Enter');
    await expectSettingsPage();
  });

  it('signs in with a backup code instead, which is then used up', async () => {
    await signOut();
    await signInWithPassword();
    await page.getByRole('button', { name: 'Use a backup code instead' }).click();
    await page.getByLabel('Backup code').fill(backupCodes[0]!);
    await page.getByRole('button', { name: 'Verify' }).click();
    await expectSettingsPage();
    await expect.poll(() => page.getByTestId('backup-codes-remaining').textContent()).toMatch(/^9 of 10/);
  });

  it('sends an expired sign-in attempt back to the password step with a message', async () => {
    await signOut();
    await signInWithPassword();
    server.clock.advanceSeconds(301); // past TWO_FACTOR_TEMP_TOKEN_TTL (300 s)
    await page.getByLabel('Authentication code').fill(generateTotpCode(secret, server.clock.nowMs()));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await expectFocusedAlert(/sign-in attempt expired/i);
  });

  it('says the account is locked at the wrong code that locks it, counts down, and lets the right code in afterwards', async () => {
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: 'Two-factor authentication' }).waitFor();
    const codeField = page.getByLabel('Authentication code');
    const verify = page.getByRole('button', { name: 'Verify' });
    // TWO_FACTOR_USER_MAX_FAILURES is 3: the first two say how many tries are left and what to check.
    for (const [attempt, left] of [
      [0, /2 tries left/],
      [1, /1 try left/],
    ] as const) {
      await codeField.fill(String(100000 + attempt));
      await verify.click();
      await expectFocusedAlert(/not correct/);
      await expectFocusedAlert(left);
      await expectFocusedAlert(/phone's clock/);
    }
    // The third wrong code is the one that locks: said now, not one attempt later.
    await codeField.fill('999999');
    await verify.click();
    const lockout = page.getByTestId('lockout');
    await lockout.waitFor();
    const said = (await lockout.textContent()) ?? '';
    expect(said).toContain('locked after too many wrong codes');
    expect(said).toContain('backup codes are both refused');
    expect(said).toContain('Ask an administrator');
    await expect.poll(async () => (await focusedElement(page)).role).toBe('alert');
    // Backup codes are refused while locked, so they are not offered.
    expect(await page.getByRole('button', { name: 'Use a backup code instead' }).count()).toBe(0);
    const countdown = page.getByTestId('lockout-countdown');
    const first = (await countdown.textContent()) ?? '';
    expect(first).toMatch(/^0:0[1-6]$/);
    await codeField.fill(generateTotpCode(secret, server.clock.nowMs()));
    await expect.poll(() => verify.isDisabled()).toBe(true);
    await snap(page, 'lockout');
    await expect.poll(() => countdown.textContent(), { timeout: 3_000 }).not.toBe(first);

    // The lock is real time (the limiter's own clock); the button comes back when it ends.
    await expect.poll(() => verify.isEnabled(), { timeout: (LOCK_SECONDS + 3) * 1000, interval: 250 }).toBe(true);
    await codeField.fill(nextTotp());
    await verify.click();
    await expectSettingsPage();
  });

  it('lists recent security activity with labels, time, IP and browser', async () => {
    const activity = page.getByTestId('security-activity');
    await activity.waitFor();
    await page.getByRole('button', { name: /^Show all \d+$/ }).click();
    for (const label of [
      'Signed in with password and an authenticator code',
      'Signed in with password and a backup code',
      'Backup code used (9 left)',
      'Two-factor locked after too many wrong codes',
      'Second factor refused: wrong authenticator code',
      'Two-factor authentication turned on',
    ]) {
      await activity.getByText(label, { exact: true }).first().waitFor();
    }
    await activity.getByText('Headless Chrome on Linux').first().waitFor();
    await activity.getByText('127.0.0.1').first().waitFor();
    await activity.scrollIntoViewIfNeeded();
    await snap(page, 'security-activity');
  });

  it('shows a non-admin neither OpsAlerts nor System status, and "not allowed" at their addresses', async () => {
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Security' }).waitFor();
    expect(await nav.getByRole('link', { name: 'OpsAlerts' }).count()).toBe(0);
    expect(await nav.getByRole('link', { name: 'System status' }).count()).toBe(0);

    await page.goto(`${server.url}/ops/status`);
    await page.getByTestId('not-allowed').waitFor();
    expect(await page.getByTestId('not-allowed').textContent()).toContain('This page is for administrators');
    await page.goto(`${server.url}/ops/alerts`);
    await page.getByTestId('not-allowed').waitFor();
    await snap(page, 'not-allowed');
    await page.getByRole('link', { name: 'Back to your security settings' }).click();
    await expectSettingsPage();
  });

  it('the admin API itself refuses this user with 403 FORBIDDEN', async () => {
    for (const path of adminPaths) {
      const response = await page.request.get(`${server.url}${path}`);
      expect(response.status(), path).toBe(403);
      expect(((await response.json()) as { error_code: string }).error_code).toBe('FORBIDDEN');
    }
    const sms = await page.request.post(`${server.url}/api/alerts/sms/test`, { data: { to: '+15005550006' }, headers: { origin: server.url } });
    expect(sms.status()).toBe(403);
    expect(((await sms.json()) as { error_code: string }).error_code).toBe('FORBIDDEN');
  });

  it('turns two-factor off after confirming the password of a session that is no longer fresh', async () => {
    server.clock.advanceSeconds(601); // past TWO_FACTOR_FRESH_SECONDS (600 s)
    await page.getByRole('button', { name: 'Turn off two-factor' }).click();
    const dialog = page.getByRole('alertdialog');
    await dialog.waitFor();
    await dialog.getByLabel('Code from your authenticator app').fill(nextTotp());
    await snap(page, 'disable');
    await dialog.getByRole('button', { name: 'Turn off', exact: true }).click();

    const prompt = page.getByRole('dialog', { name: 'Confirm your password' });
    await prompt.waitFor();
    await prompt.getByLabel('Password').fill('not-my-password-at-all');
    await prompt.getByRole('button', { name: 'Confirm password' }).click();
    await expectFocusedAlert(/email or password is incorrect/i);
    await prompt.getByLabel('Password').fill(password);
    await snap(page, 'password-prompt');
    await prompt.getByRole('button', { name: 'Confirm password' }).click();

    await page.getByText('Two-factor authentication is now off.').waitFor();
    await expect.poll(() => page.getByTestId('two-factor-state').textContent()).toBe('Off');
    await expect.poll(() => page.getByRole('dialog').count()).toBe(0);
    await expect.poll(() => page.getByRole('alertdialog').count()).toBe(0);
  });

  it('changes the password from the settings page; only the new one signs in afterwards', async () => {
    const newPassword = 'journey-new-passphrase-31';
    const form = page.getByRole('form', { name: 'Change password' });
    await form.getByLabel('Current password').fill('not-my-password-at-all');
    await form.getByLabel('New password').fill(newPassword);
    await form.getByRole('button', { name: 'Change password' }).click();
    await expectFocusedAlert(/email or password is incorrect/i);
    await form.getByLabel('Current password').fill(password);
    await form.getByLabel('New password').fill(newPassword);
    await form.getByRole('button', { name: 'Change password' }).click();
    await page.getByTestId('password-changed').waitFor();
    await snap(page, 'password-changed');
    await signOut();

    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expectFocusedAlert(/email or password is incorrect/i);
    await page.getByLabel('Password').fill(newPassword);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expectSettingsPage();
  });

  it('kept every secret out of URLs and browser storage', async () => {
    expect(tempTokens.length).toBeGreaterThanOrEqual(4);
    const storage = await readBrowserStorage(page);
    for (const token of tempTokens) expect(storage).not.toContain(token);
    for (const code of backupCodes) expect(storage).not.toContain(code);
    expect(storage).not.toContain(secret);
  });

  it('logged no console errors and no CSP violations', () => {
    expect(watch.cspViolations).toEqual([]);
    expect(watch.errors).toEqual([]);
    // Refusals the story provoked (wrong codes, lockout, expired attempt, stale session, signed-out /me).
    expect(watch.apiRefusals.length).toBeGreaterThan(0);
  });
});
