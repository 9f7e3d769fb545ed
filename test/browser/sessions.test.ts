import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTotpCode } from '../../src/server/twofactor/totp';
import type { HttpClient } from '../support/http-client';
import { startTestServer, type TestServer } from '../support/test-server';
import { createTwoFactorUser } from '../support/two-factor';
import { launchChromium, openPage, snap, type ConsoleWatch } from './support/browser';
import { reportSceneOnFailure } from './support/failure-report';

/**
 * Sessions in Settings → Security, in real Chromium: the list, ending another session, ending
 * every other one, and "Remember this browser", which skips the second factor at the next
 * sign-in until a password change forgets it.
 */

const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const NEW_PASSWORD = 'a brand new passphrase 42';

let server: TestServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let watch: ConsoleWatch;
let user: Awaited<ReturnType<typeof createTwoFactorUser>>;

function nextTotp(): string {
  server.clock.advanceSeconds(30);
  return generateTotpCode(user.secret, server.clock.nowMs());
}

/** Another device of the same user, signed in over the API with password and code. */
async function signInElsewhere(password = user.password): Promise<HttpClient> {
  const client = server.client();
  const login = await client.post('/api/auth/login', { email: user.email, password }, { headers: { 'user-agent': FIREFOX } });
  const verify = await client.post('/api/auth/2fa/verify', { temp_token: login.body.temp_token, code: nextTotp() }, { headers: { 'user-agent': FIREFOX } });
  expect(verify.status, verify.text).toBe(200);
  return client;
}

async function enterPassword(password: string) {
  await page.goto(`${server.url}/sign-in`);
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

async function expectSettingsPage() {
  await page.getByRole('heading', { name: 'Security settings' }).waitFor();
  expect(new URL(page.url()).pathname).toBe('/settings/security');
}

async function signOut() {
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
}

const sessionRows = () => page.getByTestId('sessions-list').locator('li');

beforeAll(async () => {
  server = await startTestServer({ env: { SERVE_WEB: 'true' } });
  user = await createTwoFactorUser(server);
  browser = await launchChromium();
  ({ context, page, watch } = await openPage(browser, server.url));
});

reportSceneOnFailure(() => ({ page, server, watch }));

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.close();
});

describe('sessions and remembered browsers in Settings → Security', () => {
  it('offers "Remember this browser for 30 days" on the second-factor step and lists this browser as remembered', async () => {
    await enterPassword(user.password);
    await page.getByRole('heading', { name: 'Two-factor authentication' }).waitFor();
    const remember = page.getByLabel('Remember this browser for 30 days');
    expect(await remember.isChecked()).toBe(false);
    await remember.check();
    await page.getByLabel('Authentication code').fill(nextTotp());
    await page.getByRole('button', { name: 'Verify' }).click();
    await expectSettingsPage();

    await expect.poll(() => sessionRows().count()).toBe(1);
    expect(await sessionRows().first().getAttribute('data-current')).toBe('true');
    const devices = page.getByTestId('remembered-devices').locator('li');
    await expect.poll(() => devices.count()).toBe(1);
    expect(await devices.first().getAttribute('data-current')).toBe('true');
    // The token lives only in an httpOnly cookie: page scripts cannot read it.
    expect((await context.cookies()).find((c) => c.name === 'proofgate_remember')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    expect((await page.evaluate('document.cookie')) as string).not.toContain('proofgate_remember');
  });

  it('lists another device and ends it: that device is refused at once', async () => {
    const laptop = await signInElsewhere();
    await page.reload();
    await expect.poll(() => sessionRows().count()).toBe(2);
    await page.getByTestId('sessions-list').getByText('Firefox on Linux').waitFor();
    await snap(page, 'sessions-list');
    await page.getByRole('button', { name: 'End session: Firefox on Linux' }).click();
    await expect.poll(() => sessionRows().count()).toBe(1);
    expect((await laptop.get('/api/auth/me')).status).toBe(401);
    await page.reload();
    await page.locator('[data-event-type="sessions.revoked"]').first().waitFor();
  });

  it('"End every other session" ends the rest and keeps this browser signed in', async () => {
    const phone = await signInElsewhere();
    const tablet = await signInElsewhere();
    await page.reload();
    await expect.poll(() => sessionRows().count()).toBe(3);
    await page.getByRole('button', { name: 'End every other session' }).click();
    await page.getByText(/Signed out 2 other session/).waitFor();
    await expect.poll(() => sessionRows().count()).toBe(1);
    expect((await phone.get('/api/auth/me')).status).toBe(401);
    expect((await tablet.get('/api/auth/me')).status).toBe(401);
    expect((await page.request.get(`${server.url}/api/auth/me`)).status()).toBe(200);
  });

  it('the remembered browser signs in with the password alone', async () => {
    await signOut();
    await enterPassword(user.password);
    await expectSettingsPage();
    await page.getByTestId('sessions-list').getByText('Remembered browser', { exact: true }).waitFor();
  });

  it('a password change forgets it: the next sign-in asks for the second factor again', async () => {
    await page.getByLabel('Current password').fill(user.password);
    await page.getByLabel('New password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByTestId('password-changed').waitFor();
    await expect.poll(() => page.getByTestId('remembered-devices').count()).toBe(0);
    await signOut();
    await enterPassword(NEW_PASSWORD);
    await page.getByRole('heading', { name: 'Two-factor authentication' }).waitFor();
    await page.getByLabel('Authentication code').fill(nextTotp());
    await page.getByRole('button', { name: 'Verify' }).click();
    await expectSettingsPage();
    expect(watch.errors).toEqual([]);
    expect(watch.cspViolations).toEqual([]);
  });
});
