import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { DESKTOP, MOBILE, settle, snap } from './browser';

/**
 * axe-core in the page under test. The script is evaluated through the DevTools protocol, which
 * the app's strict CSP does not govern (a <script> tag would be refused and reported).
 */
const axeSource = (createRequire(import.meta.url)('axe-core') as { source: string }).source;

/** What fails a screen: the two top impact levels axe reports. */
const BLOCKING_IMPACTS = new Set(['serious', 'critical']);

export interface AxeFinding {
  screen: string;
  rule: string;
  impact: string;
  help: string;
  targets: string[];
}

const RUN_AXE = `(async () => {
  const result = await window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
    resultTypes: ['violations'],
  });
  return result.violations.map((v) => ({
    rule: v.id,
    impact: v.impact || 'unknown',
    help: v.help,
    targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ') + (n.failureSummary ? ' — ' + n.failureSummary.split('\\n').slice(1).join(' ').trim() : '')),
  }));
})()`;

/** Runs axe once on the page as it is; returns the serious and critical findings. */
async function runAxe(page: Page, screen: string): Promise<AxeFinding[]> {
  if (!(await page.evaluate('typeof window.axe === "object"'))) await page.evaluate(axeSource);
  const violations = (await page.evaluate(RUN_AXE)) as Array<Omit<AxeFinding, 'screen'>>;
  return violations.filter((v) => BLOCKING_IMPACTS.has(v.impact)).map((v) => ({ screen, ...v }));
}

/**
 * One screen in one state, audited the way the issue asks: axe at 1280×800 and 390×844, in the
 * light and the dark colour scheme, then screenshots (light, both sizes) into
 * test-results/screenshots/. Returns every serious or critical finding (empty = pass).
 */
export async function auditScreen(page: Page, screen: string): Promise<AxeFinding[]> {
  const findings: AxeFinding[] = [];
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const [size, viewport] of [
      ['desktop', DESKTOP],
      ['mobile', MOBILE],
    ] as const) {
      await page.setViewportSize(viewport);
      // A colour-scheme switch starts the buttons' colour transitions (a loaded machine renders
      // fewer frames per transition).
      await settle(page, { transitions: true });
      findings.push(...(await runAxe(page, `${screen} (${size}, ${scheme})`)));
    }
  }
  await page.emulateMedia({ colorScheme: 'dark' });
  await snapDark(page, screen);
  await page.emulateMedia({ colorScheme: 'light' });
  await snap(page, screen);
  return findings;
}

/** The dark scheme's screenshots sit beside the light ones as `<screen>.dark.*.png`. */
async function snapDark(page: Page, screen: string) {
  await snap(page, `${screen}.dark`);
}

/** Findings in a form a failing assertion can print usefully. */
export function describeFindings(findings: readonly AxeFinding[]): string[] {
  return findings.map((f) => `${f.screen}: [${f.impact}] ${f.rule} — ${f.help}\n    ${f.targets.join('\n    ')}`);
}
