import type { Page } from 'playwright-core';
import { beforeEach } from 'vitest';
import type { TestServer } from '../../support/test-server';
import type { ConsoleWatch } from './browser';

const LOG_LINES = 25;
const PAGE_READ_MS = 5_000;

/** `promise`, or `fallback` once `ms` have passed. */
function within<T>(ms: number, promise: Promise<T>, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

interface Scene {
  page?: Page;
  server?: TestServer;
  watch?: ConsoleWatch;
}

/** One server log line as "time level METHOD /path → status error_code (ms)" or its message. */
function summarizeLogLine(line: string): string {
  try {
    const entry = JSON.parse(line) as Record<string, unknown>;
    const req = entry.req as { method?: string; path?: string } | undefined;
    const res = entry.res as { status?: number } | undefined;
    const when = typeof entry.time === 'string' ? entry.time.slice(11, 23) : '';
    const what = req
      ? `${req.method ?? '?'} ${req.path ?? '?'} → ${String(res?.status ?? '?')}${entry.error_code ? ` ${String(entry.error_code)}` : ''} (${String(entry.duration_ms ?? '?')} ms)`
      : String(entry.msg ?? '');
    return `${when} ${String(entry.level ?? '')} ${what}`;
  } catch {
    return line.slice(0, 200);
  }
}

/**
 * When a browser test fails, prints what the page showed (address, headings, alerts) and the
 * server's last answers: a failure seen once under load on a shared machine is then explained by
 * the run's own output, not guessed at afterwards.
 */
export function reportSceneOnFailure(scene: () => Scene): void {
  beforeEach(({ onTestFailed }) => {
    onTestFailed(async ({ task }) => {
      const { page, server, watch } = scene();
      const lines = [`--- scene at the failure of "${task.name}" ---`];
      if (page && !page.isClosed()) {
        lines.push(`page: ${page.url()}`);
        // A hung page is one way a test fails: each read gets a few seconds, then says so.
        const visible = async (role: 'heading' | 'alert' | 'status') =>
          within(
            PAGE_READ_MS,
            page
              .getByRole(role)
              .allTextContents()
              .then((texts) => JSON.stringify(texts.map((t) => t.trim().slice(0, 160))))
              .catch((error: unknown) => `(unreadable: ${(error as Error).message.split('\n')[0]})`),
            `(no answer from the page in ${PAGE_READ_MS} ms)`,
          );
        lines.push(`headings: ${await visible('heading')}`);
        lines.push(`alerts: ${await visible('alert')}`);
        lines.push(`status: ${await visible('status')}`);
      }
      if (watch) lines.push(`console errors: ${JSON.stringify(watch.errors)}`, `api refusals: ${watch.apiRefusals.length}`);
      if (server) lines.push(`server's last ${LOG_LINES} log lines:`, ...server.logs.slice(-LOG_LINES).map((l) => `  ${summarizeLogLine(l)}`));
      console.error(lines.join('\n'));
    });
  });
}
