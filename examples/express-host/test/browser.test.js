import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enableTwoFactor, PASSWORD, registerAndLogin, startHost, totp, uniqueEmail } from './support.js';

/**
 * One flow in real Chromium through the host's page (built with `npm run build`): the ready
 * sign-in screen from proofgate/react asks for the password, then the code; the host's own
 * orders page loads behind requireSession(), and a payout (AAL2) goes through.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const built = fs.existsSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'index.html'));

let host;
let browser;
beforeAll(async () => {
  if (!built) throw new Error('run npm run build first: the page under test is dist/index.html');
  host = await startHost();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
});
afterAll(async () => {
  await browser?.close();
  await host?.stop();
});

describe('the host page with proofgate/react', () => {
  it('signs in with password and code on the ready screen, then shows the orders and pays out at AAL2', async () => {
    const email = uniqueEmail('browser');
    const { browser: api } = await registerAndLogin(host.url, email);
    const secret = await enableTwoFactor(api);
    await api.post('/api/orders', { item: 'lamp' });

    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${host.url}/`);
    await page.waitForURL(/\/sign-in$/);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: 'Two-factor authentication' }).waitFor();
    // The next 30 s step: the code used to enable 2FA may not be replayed.
    await page.locator('#totp-code').fill(totp(secret, 1));
    await page.getByRole('button', { name: /verify|sign in|continue/i }).first().click();
    await page.getByRole('heading', { name: `Orders for ${email}` }).waitFor();
    await expect.poll(() => page.getByTestId('order-count').textContent()).toBe('1 orders');
    await page.getByRole('button', { name: 'Pay out' }).click();
    await expect.poll(() => page.getByTestId('payout').textContent()).toBe('Paid at AAL 2');
    expect(errors).toEqual([]);
    await page.close();
  });
});
