import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grantAdmin, STRONG_PASSWORD, startTestServer, uniqueEmail } from '../support/test-server';
import { launchChromium, openPage, snap, type ConsoleWatch } from './support/browser';
import { startFake, twilioEnv } from '../support/twilio';
import { reportSceneOnFailure } from './support/failure-report';

/**
 * The admin's side: OpsAlerts (send a test SMS, see the trace id and Twilio's usage count go up)
 * and System status, against the real server and the project's Twilio fake (the same SDK code
 * path real keys use).
 */
const adminEmail = uniqueEmail('ops-admin');
const fakeTwilio = await startFake();
const server = await startTestServer({
  env: { SERVE_WEB: 'true', ...twilioEnv(fakeTwilio) },
});

async function closeAll() {
  await server.close();
  await fakeTwilio.close();
}

/** Message SIDs the fake handed out, oldest first. */
function sentSids(): string[] {
  return fakeTwilio
    .received()
    .map((r) => ('body' in r.response ? (r.response.body as { sid?: string } | null)?.sid : undefined))
    .filter((sid): sid is string => typeof sid === 'string');
}

let browser: Browser;
let context: BrowserContext;
let page: Page;
let watch: ConsoleWatch;

describe('admin pages in the browser', () => {
  beforeAll(async () => {
    const registered = await server.client().post('/api/auth/register', { email: adminEmail, password: STRONG_PASSWORD });
    expect(registered.status).toBe(201);
    await grantAdmin(server, adminEmail);
    browser = await launchChromium();
    ({ context, page, watch } = await openPage(browser, server.url));
    await page.goto(`${server.url}/sign-in`);
    await page.getByLabel('Email').fill(adminEmail);
    await page.getByLabel('Password').fill(STRONG_PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: 'Security settings' }).waitFor();
  });

  reportSceneOnFailure(() => ({ page, server, watch }));

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await closeAll();
  });

  it('shows an admin the OpsAlerts and System status links', async () => {
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'OpsAlerts' }).waitFor();
    await nav.getByRole('link', { name: 'System status' }).waitFor();
  });

  describe('OpsAlerts', () => {
    async function countShown(id: 'before-count' | 'after-count'): Promise<number> {
      return Number(await page.getByTestId(id).textContent());
    }

    it('refuses a number that is not E.164 before sending anything', async () => {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'OpsAlerts' }).click();
      await page.getByRole('heading', { name: 'OpsAlerts' }).waitFor();
      await page.getByTestId('integration-twilio').waitFor();
      await page.getByLabel('Phone number').fill('555-0100');
      await page.getByRole('button', { name: 'Send test SMS' }).click();
      await page.getByText('Enter the number in international format').waitFor();
      expect(await page.getByLabel('Phone number').getAttribute('aria-invalid')).toBe('true');
      expect(fakeTwilio.received()).toHaveLength(0);
    });

    it('sends a test SMS and shows success, the trace id, and the usage count before and after', async () => {
      await page.getByLabel('Phone number').fill('+15005550006');
      await page.getByLabel('Note (optional)').fill('Proofgate browser test');
      await page.getByRole('button', { name: 'Send test SMS' }).click();
      const result = page.locator('[data-testid="sms-result"][data-outcome="sent"]');
      await result.waitFor();
      await page.getByRole('heading', { name: /Test SMS sent/ }).waitFor();
      const traceId = ((await page.getByTestId('trace-id').textContent()) ?? '').trim();
      expect(traceId).not.toBe('');
      expect(traceId).not.toBe('none returned');
      expect(((await page.getByTestId('provider-message-id').textContent()) ?? '').trim()).toBe(sentSids().at(-1));
      expect(await countShown('after-count')).toBe((await countShown('before-count')) + 1);
      expect(await page.getByTestId('after-last-used').textContent()).not.toBe('Never');
      await snap(page, 'ops-alerts-success');
    });

    it('shows a provider rejection with its error code and trace id', async () => {
      await page.getByLabel('Phone number').fill('+15005550001');
      await page.getByRole('button', { name: 'Send test SMS' }).click();
      await page.locator('[data-testid="sms-result"][data-outcome="failed"]').waitFor();
      expect(await page.getByTestId('sms-error-code').textContent()).toBe('SMS_PROVIDER_REJECTED');
      expect(await page.getByTestId('sms-failure').textContent()).toContain('21211');
      const traceId = ((await page.getByTestId('trace-id').textContent()) ?? '').trim();
      expect(traceId).not.toBe('');
      expect(traceId).not.toBe('none returned');
      await snap(page, 'ops-alerts-failure');
    });

    it('shows a refused destination (premium rate) with its error code and trace id, and Twilio receives nothing', async () => {
      // Counts message creations only: the page's status read may re-run the credential check.
      const messagePosts = () => fakeTwilio.received().filter((r) => r.method === 'POST' && r.path.endsWith('/Messages.json')).length;
      const postsBefore = messagePosts();
      await page.getByLabel('Phone number').fill('+1 900 555 0100');
      await page.getByRole('button', { name: 'Send test SMS' }).click();
      await page.getByTestId('sms-error-code').getByText('SMS_DESTINATION_NOT_ALLOWED').waitFor();
      expect(await page.getByTestId('sms-failure').textContent()).toContain('Premium-rate numbers are refused');
      const traceId = ((await page.getByTestId('trace-id').textContent()) ?? '').trim();
      expect(traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(messagePosts()).toBe(postsBefore);
    });

    it('keeps the note to one line of at most 160 characters', async () => {
      expect(await page.getByLabel('Note (optional)').getAttribute('maxlength')).toBe('160');
    });
  });

  describe('System status', () => {
    it('shows the overall state, blockers first with their fixes, then checks and integrations', async () => {
      await page.goto(`${server.url}/ops/status`);
      await page.getByRole('heading', { name: 'System status' }).waitFor();
      await page.getByTestId('system-state').waitFor();
      await page.getByRole('heading', { name: 'Checks' }).waitFor();
      const headings = await page.getByRole('heading', { level: 2 }).allTextContents();
      expect(headings.indexOf('Blockers')).toBeLessThan(headings.indexOf('Checks'));
      expect(headings.indexOf('Checks')).toBeLessThan(headings.indexOf('Integrations'));
      const blockers = page.getByTestId('blockers');
      if ((await blockers.count()) > 0) expect(await blockers.textContent()).toContain('Fix:');
      await page.getByTestId('integration-twilio').waitFor();
      await snap(page, 'system-status');
    });
  });

  it('logged no console errors and no CSP violations', () => {
    expect(watch.cspViolations).toEqual([]);
    expect(watch.errors).toEqual([]);
  });
});
