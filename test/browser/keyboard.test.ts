import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTotpCode } from '../../src/server/twofactor/totp';
import { STRONG_PASSWORD, startTestServer, uniqueEmail, type TestServer } from '../support/test-server';
import { focusedElement, launchChromium, openPage, snap, type ConsoleWatch } from './support/browser';
import { reportSceneOnFailure } from './support/failure-report';

/**
 * Two-factor setup, confirm and turn-off with the keyboard alone (Tab, Shift+Tab, Enter, Space,
 * Escape; no click anywhere): focus moves into each new step and back to the trigger when a
 * step or dialog closes.
 */
let server: TestServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let watch: ConsoleWatch;
const email = uniqueEmail('keyboard');
let secret = '';

/** The focused element's accessible text, or its label for a field. */
async function focusedName(): Promise<string> {
  return (await page.evaluate(`(() => {
    const el = document.activeElement;
    // Focus lost to the page itself counts as no focus (its text would match anything).
    if (!el || el === document.body) return '';
    if (el.labels && el.labels.length) return el.labels[0].textContent.trim();
    return (el.getAttribute('aria-label') || el.textContent || '').trim();
  })()`)) as string;
}

/** Presses Tab until the focused element's name matches, at most `max` times; returns how many it took. */
async function tabTo(name: RegExp, max = 25): Promise<number> {
  for (let presses = 1; presses <= max; presses += 1) {
    await page.keyboard.press('Tab');
    if (name.test(await focusedName())) return presses;
  }
  throw new Error(`${name} not reached in ${max} Tabs (focus on "${await focusedName()}")`);
}

async function expectFocusOn(name: RegExp) {
  await expect.poll(() => focusedName()).toMatch(name);
}

beforeAll(async () => {
  server = await startTestServer({ env: { SERVE_WEB: 'true' } });
  const registered = await server.client().post('/api/auth/register', { email, password: STRONG_PASSWORD });
  expect(registered.status).toBe(201);
  browser = await launchChromium();
  ({ context, page, watch } = await openPage(browser, server.url));
});

reportSceneOnFailure(() => ({ page, server, watch }));

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.close();
});

describe('two-factor with the keyboard only', () => {
  it('signs in: Tab from the email to the password, Enter submits', async () => {
    await page.goto(`${server.url}/sign-in`);
    await page.getByLabel('Email').waitFor();
    await tabTo(/^Email$/);
    await page.keyboard.type(email);
    await page.keyboard.press('Tab');
    await page.keyboard.type(STRONG_PASSWORD);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Security settings' }).waitFor();
  });

  it('opens setup: focus lands in the new step, a few Tabs from the code field; Cancel gives focus back to the trigger', async () => {
    await tabTo(/Set up two-factor/);
    await page.keyboard.press('Enter');
    await page.getByTestId('setup-panel').waitFor();
    await expectFocusOn(/Add Proofgate to your authenticator app/);
    expect(await tabTo(/Code from your app/, 5)).toBeLessThanOrEqual(3);
    await tabTo(/^Cancel$/, 3);
    await page.keyboard.press('Enter');
    await expectFocusOn(/Restart setup/);
  });

  it('confirms with a code typed after Tab, keeps the codes with Space and Enter', async () => {
    await page.keyboard.press('Enter');
    await page.getByTestId('setup-panel').waitFor();
    await expectFocusOn(/Add Proofgate/);
    secret = ((await page.getByTestId('manual-key').textContent()) ?? '').replace(/\s+/g, '');
    await tabTo(/Code from your app/, 5);
    await page.keyboard.type(generateTotpCode(secret, server.clock.nowMs()));
    await page.keyboard.press('Enter');
    await page.getByTestId('backup-codes').waitFor();
    await expectFocusOn(/Two-factor authentication is on/);
    await snap(page, 'keyboard-backup-codes-focus');

    // Sign out while the codes are unsaved asks first; Escape keeps them, focus back on Sign out.
    for (let i = 0; i < 15 && !/Sign out/.test(await focusedName()); i += 1) await page.keyboard.press('Shift+Tab');
    await expectFocusOn(/Sign out/);
    await page.keyboard.press('Enter');
    const warning = page.getByRole('alertdialog', { name: 'Sign out without saving your backup codes?' });
    await warning.waitFor();
    await expectFocusOn(/Stay and save them/);
    await page.keyboard.press('Escape');
    await expect.poll(() => warning.count()).toBe(0);
    await expectFocusOn(/Sign out/);
    await page.getByTestId('backup-codes').waitFor();

    // Another page of the app asks too; Escape stays, and the codes are still there.
    for (let i = 0; i < 5 && (await focusedName()) !== 'Security'; i += 1) await page.keyboard.press('Shift+Tab');
    await expectFocusOn(/^Security$/);
    await page.keyboard.press('Enter');
    const leaving = page.getByRole('alertdialog', { name: 'Leave without saving your backup codes?' });
    await leaving.waitFor();
    await page.keyboard.press('Escape');
    await expect.poll(() => leaving.count()).toBe(0);
    await page.getByTestId('backup-codes').waitFor();

    // Leaving the page now asks first (a synthetic beforeunload is cancelled by the page)...
    const leaveCancelled = `(() => { const e = new Event('beforeunload', { cancelable: true }); window.dispatchEvent(e); return e.defaultPrevented; })()`;
    expect(await page.evaluate(leaveCancelled)).toBe(true);
    // ...and printing shows the codes and nothing else.
    await page.emulateMedia({ media: 'print' });
    const visibility = (selector: string) => page.evaluate(`getComputedStyle(document.querySelector(${JSON.stringify(selector)})).visibility`);
    expect(await visibility('header')).toBe('hidden');
    expect(await visibility('[data-testid="two-factor-state"]')).toBe('hidden');
    expect(await visibility('[data-testid="backup-code"]')).toBe('visible');
    await page.emulateMedia({ media: 'screen' });

    await tabTo(/I have saved these backup codes/);
    await page.keyboard.press('Space');
    expect(await page.evaluate(leaveCancelled)).toBe(false);
    await tabTo(/^Continue$/, 3);
    await page.keyboard.press('Enter');
    await page.getByText('Backup codes saved. They will not be shown again.').waitFor();
    await expect.poll(async () => (await focusedElement(page)).text).toContain('Backup codes saved');
    await expect.poll(() => page.getByTestId('two-factor-state').textContent()).toBe('On');
  });

  it('a dialog opened from the keyboard takes focus, and Escape gives it back to its trigger', async () => {
    await tabTo(/New backup codes/);
    await page.keyboard.press('Enter');
    await page.getByRole('dialog').waitFor();
    await expectFocusOn(/Code from your authenticator app/);
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByRole('dialog').count()).toBe(0);
    await expectFocusOn(/New backup codes/);
  });

  it('turns two-factor off: Tab to the button, the code field has focus, Enter confirms', async () => {
    await tabTo(/Turn off two-factor/, 5);
    await page.keyboard.press('Enter');
    await page.getByRole('alertdialog').waitFor();
    await expectFocusOn(/Code from your authenticator app/);
    // The refreshed status is held back until the dialog has gone, so the trigger is still on
    // screen when the dialog's close animation ends: the moment a dialog gives focus back.
    // The route stays on the page after the release: it then passes every request straight on,
    // and removing it while a held request is still being passed on would race with that.
    let releaseStatus = () => {};
    const statusHeld = new Promise<void>((resolve) => (releaseStatus = resolve));
    const passedOn: Promise<void>[] = [];
    await page.route('**/api/auth/2fa/status', (route) => {
      const passing = statusHeld.then(() => route.continue());
      passedOn.push(passing);
      return passing;
    });
    server.clock.advanceSeconds(30);
    await page.keyboard.type(generateTotpCode(secret, server.clock.nowMs()));
    await page.keyboard.press('Enter');
    await page.getByText('Two-factor authentication is now off.').waitFor();
    await expect.poll(() => page.getByRole('alertdialog').count()).toBe(0);
    await page.waitForTimeout(300);
    expect(await page.getByRole('button', { name: /Turn off two-factor/ }).count()).toBe(1);
    expect((await focusedElement(page)).text).toContain('Two-factor authentication is now off');
    releaseStatus();
    await Promise.all(passedOn);
    await expect.poll(() => page.getByTestId('two-factor-state').textContent()).toBe('Off');
    expect((await focusedElement(page)).text).toContain('Two-factor authentication is now off');
  });

  it('logged no console errors', () => {
    expect(watch.cspViolations).toEqual([]);
    expect(watch.errors).toEqual([]);
  });
});
