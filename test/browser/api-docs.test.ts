import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server';
import { launchChromium, openPage, snap, type ConsoleWatch } from './support/browser';
import { reportSceneOnFailure } from './support/failure-report';

/**
 * GET /api/docs in a real browser: Redoc renders the document from this server alone. Its one
 * outside reference (the "API docs by Redocly" badge image on a CDN) is refused by the page's
 * CSP, so the test proves no request leaves the origin, not merely that none was attempted.
 */
let server: TestServer;
let browser: Browser;
let page: Page | undefined;
let watch: ConsoleWatch | undefined;

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchChromium();
});
reportSceneOnFailure(() => ({ page, server, watch }));

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('the API reference page', () => {
  it('renders every tag and an operation from the served document, with nothing loaded from elsewhere', async () => {
    const opened = await openPage(browser, server.url);
    ({ page, watch } = opened);
    const { context } = opened;
    const foreignResponses: string[] = [];
    page.on('response', (response) => {
      if (!response.url().startsWith(server.url) && !response.url().startsWith('data:')) foreignResponses.push(response.url());
    });
    try {
      await page.goto(`${server.url}/api/docs`);
      await page.getByRole('heading', { name: /Proofgate API/ }).first().waitFor({ timeout: 60_000 });
      for (const tag of ['auth', '2fa', 'alerts', 'integrations', 'system']) {
        await expect(page.getByText(tag, { exact: true }).first().isVisible()).resolves.toBe(true);
      }
      await page.getByText('/api/auth/login').first().waitFor();
      await snap(page, 'api-docs');
      expect(foreignResponses).toEqual([]);
      expect(watch.errors).toEqual([]);
      // Refusals the page is built to expect, and no other: the CDN badge image, and the eval probe
      // of Redoc's search (it then indexes without a worker). Telemetry is off, so nothing else leaves.
      const expected = [/cdn\.redoc\.ly\/redoc\/logo/, /script-src blocked eval at .*\/api\/docs\/redoc\.standalone\.js/];
      expect(watch.cspViolations.filter((v) => !expected.some((pattern) => pattern.test(v)))).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
