import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { manifestNameOf, MASK_CSS, SENSITIVE_ATTRIBUTE, type MaskBox, type MaskManifest } from '../../../tools/proof/screenshot-masks';

/**
 * Real Chromium for the browser tests: Debian's /usr/bin/chromium, driven by playwright-core.
 * Nothing here downloads a browser.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
export const SCREENSHOT_DIR = path.join(repoRoot, 'test-results', 'screenshots');

export const DESKTOP = { width: 1280, height: 800 };
export const MOBILE = { width: 390, height: 844 };

export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: apt-get update && apt-get install -y chromium (or set CHROMIUM_PATH)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** What the page said on its console: real errors, CSP violations, and expected API refusals. */
export interface ConsoleWatch {
  errors: string[];
  cspViolations: string[];
  /** Chromium logs every 4xx answer as "Failed to load resource"; refusals by our API are part of the story. */
  apiRefusals: string[];
}

// Runs in the page before its own scripts (injected by the browser, so the CSP does not apply to it):
// every CSP violation becomes a console error the watcher can see, even ones Chromium would only report.
const REPORT_CSP_VIOLATIONS = `document.addEventListener('securitypolicyviolation', (e) => {
  console.error('CSP violation: ' + e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at ' + e.sourceFile + ':' + e.lineNumber);
});`;

export async function openPage(browser: Browser, baseUrl: string): Promise<{ context: BrowserContext; page: Page; watch: ConsoleWatch }> {
  const context = await browser.newContext({ viewport: DESKTOP, acceptDownloads: true, locale: 'en-US', timezoneId: 'UTC' });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseUrl });
  const page = await context.newPage();
  await page.addInitScript({ content: REPORT_CSP_VIOLATIONS });
  const watch: ConsoleWatch = { errors: [], cspViolations: [], apiRefusals: [] };
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const text = message.text();
    const url = message.location().url;
    if (/Content Security Policy|CSP violation/i.test(text)) watch.cspViolations.push(`${text} (${url})`);
    else if (isExpectedApiRefusal(text, url, baseUrl)) watch.apiRefusals.push(`${text} (${url})`);
    else watch.errors.push(`${text} (${url})`);
  });
  page.on('pageerror', (error) => watch.errors.push(`pageerror: ${error.message}`));
  return { context, page, watch };
}

/** Chromium with one watched page for `baseUrl`, as most browser tests start; `close()` ends both. */
export interface ChromiumPage {
  page: Page;
  watch: ConsoleWatch;
  close(): Promise<void>;
}

export async function launchWithPage(baseUrl: string): Promise<ChromiumPage> {
  const browser = await launchChromium();
  try {
    const { context, page, watch } = await openPage(browser, baseUrl);
    return {
      page,
      watch,
      close: async () => {
        await context.close();
        await browser.close();
      },
    };
  } catch (error) {
    await browser.close();
    throw error;
  }
}

/** Fills the sign-in form the page shows and submits it with the password button (a passkey button shares the words). */
export async function submitSignIn(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/** How long a page may take to finish its transitions and paint before a test goes on anyway. */
const SETTLE_LIMIT_MS = 5_000;

/**
 * Waits until the page has painted twice (and, with `transitions`, until every finite animation
 * has ended: axe must see a colour transition's end state, not a frame in between). The wait is
 * bounded by a timer, which runs even when Chromium produces no frames: an animation frame that
 * never comes (seen under load, after a viewport change) would otherwise hang the test until its
 * timeout, with no screenshot and no error saying where. Endless animations (spinners) are not
 * waited for.
 */
export async function settle(page: Page, options: { transitions?: boolean } = {}): Promise<void> {
  await page.evaluate(`Promise.race([
    Promise.all(${options.transitions ? `document.getAnimations()
        .filter((a) => Number.isFinite(a.effect?.getComputedTiming().endTime ?? Infinity))
        .map((a) => a.finished.catch(() => undefined))` : '[]'})
      .then(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))),
    new Promise((resolve) => setTimeout(resolve, ${SETTLE_LIMIT_MS})),
  ])`);
}

// Page scripts as strings, as elsewhere here: a function would be serialised after the test
// transform, which may add helpers that do not exist in the page.
//
// Masking: a constructed stylesheet (document.adoptedStyleSheets), because the app's CSP refuses
// inline <style> and the test watches for CSP violations. It turns every element marked
// data-sensitive into a solid black block (tools/proof/screenshot-masks.ts), then the boxes are
// measured in full-page coordinates for the manifest the proof checks against the PNG.
const APPLY_MASKS = `(() => {
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(${JSON.stringify(MASK_CSS)});
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
  window.__proofMaskSheet = sheet;
  const elements = [...document.querySelectorAll('[${SENSITIVE_ATTRIBUTE}]')];
  return {
    // An element the stylesheet did not reach (refused, overridden) is named, not photographed.
    unstyled: elements.filter((el) => getComputedStyle(el).filter !== 'brightness(0)').map((el) => el.getAttribute('${SENSITIVE_ATTRIBUTE}')),
    boxes: elements
      .map((el) => {
        const r = el.getBoundingClientRect();
        return { kind: el.getAttribute('${SENSITIVE_ATTRIBUTE}') || '', x: r.left + window.scrollX, y: r.top + window.scrollY, width: r.width, height: r.height };
      })
      .filter((box) => box.width > 0 && box.height > 0),
  };
})()`;

const REMOVE_MASKS = `(() => {
  const sheet = window.__proofMaskSheet;
  document.adoptedStyleSheets = document.adoptedStyleSheets.filter((s) => s !== sheet);
  delete window.__proofMaskSheet;
  return document.adoptedStyleSheets.includes(sheet);
})()`;

/**
 * The one way the browser tests take screenshots, so none escapes the masks: saves
 * `<name>.desktop.png` (1280×800 viewport) and `<name>.mobile.png` (390×844), full page, with
 * every `data-sensitive` element (the QR code, the manual key, backup codes) covered by an opaque
 * block, and beside each a `<name>.<size>.masks.json` listing the masked boxes. The masks are
 * removed after each screenshot and the desktop viewport restored. Returns the manifests.
 */
export async function snap(page: Page, name: string): Promise<MaskManifest[]> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const manifests: MaskManifest[] = [];
  for (const [suffix, viewport] of [
    ['desktop', DESKTOP],
    ['mobile', MOBILE],
  ] as const) {
    await page.setViewportSize(viewport);
    await settle(page);
    const file = `${name}.${suffix}.png`;
    // A manifest left from an earlier run must never stand for this screenshot.
    fs.rmSync(path.join(SCREENSHOT_DIR, manifestNameOf(file)), { force: true });
    const { boxes, unstyled } = (await page.evaluate(APPLY_MASKS)) as { boxes: MaskBox[]; unstyled: string[] };
    let stillMasked = true;
    try {
      if (unstyled.length > 0) throw new Error(`snap(${name}): the mask did not apply to ${unstyled.join(', ')}; no screenshot taken`);
      await settle(page);
      await page.screenshot({ path: path.join(SCREENSHOT_DIR, file), fullPage: true, animations: 'disabled', caret: 'hide' });
    } finally {
      stillMasked = (await page.evaluate(REMOVE_MASKS)) as boolean;
    }
    // The rest of the test clicks and reads what the masks cover: they must be gone.
    if (stillMasked) throw new Error(`snap(${name}): the masking stylesheet was not removed`);
    const manifest: MaskManifest = { screenshot: file, devicePixelRatio: (await page.evaluate('window.devicePixelRatio')) as number, boxes };
    fs.writeFileSync(path.join(SCREENSHOT_DIR, manifestNameOf(file)), `${JSON.stringify(manifest, null, 2)}\n`);
    manifests.push(manifest);
  }
  await page.setViewportSize(DESKTOP);
  await settle(page);
  return manifests;
}

/** Reads localStorage, sessionStorage and document.cookie as one string, to prove no secret is kept there. */
export async function readBrowserStorage(page: Page): Promise<string> {
  return (await page.evaluate(
    'JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage }, cookie: document.cookie, url: location.href, history: history.state })',
  )) as string;
}

/** The element that has keyboard focus, described by role and accessible text. */
export async function focusedElement(page: Page): Promise<{ role: string | null; id: string; text: string }> {
  return (await page.evaluate(
    '({ role: document.activeElement && document.activeElement.getAttribute("role"), id: (document.activeElement && document.activeElement.id) || "", text: ((document.activeElement && document.activeElement.textContent) || "").trim() })',
  )) as { role: string | null; id: string; text: string };
}

/**
 * Chromium logs every non-2xx fetch as a console error. Expected ones: the API's 4xx refusals,
 * and the SMS test's documented provider answers (502 SMS_PROVIDER_REJECTED, 503 unavailable).
 */
function isExpectedApiRefusal(text: string, url: string, baseUrl: string): boolean {
  const status = /^Failed to load resource: the server responded with a status of (\d{3})/.exec(text)?.[1];
  if (!status || !url.startsWith(`${baseUrl}/api/`)) return false;
  if (status.startsWith('4')) return true;
  return (status === '502' || status === '503') && url === `${baseUrl}/api/alerts/sms/test`;
}
