import { READINESS_CHECK_TIMEOUT_MS, withTimeout } from './readiness';

/**
 * System status: a list of named checks the composition root assembles, each of which may
 * report blockers. Severity:
 *
 * - `blocked`: the product must not serve real users as it is: accounts would be locked out
 *   (stored secrets no key can decrypt, throttling store down so sign-in fails closed, schema
 *   behind the code) or session cookies would be unsafe or broken.
 * - `degraded`: sign-in and 2FA work, but a capability is off or weaker than it should be
 *   (SMS alerts not configured or not connected, a development key generated into DATA_DIR).
 *
 * Everything is recomputed per request, so a blocker disappears as soon as its cause is fixed
 * (the Twilio credential check is cached; `refresh` re-runs it). Settings read from the
 * environment (keys, cookies, Twilio configuration) need a restart by nature.
 */
export type BlockerSeverity = 'blocked' | 'degraded';

export interface Blocker {
  code: string;
  severity: BlockerSeverity;
  message: string;
  fix: string;
}

export interface StatusCheckResult {
  ok: boolean;
  detail?: string;
  blockers?: Blocker[];
}

export interface StatusCheck {
  name: string;
  run(options: { refresh: boolean }): Promise<StatusCheckResult>;
  /** Reported when `run` throws or exceeds its time budget. */
  onFailure: Blocker;
  timeoutMs?: number;
}

export interface SystemStatusReport {
  status: 'ok' | 'degraded' | 'blocked';
  blockers: Blocker[];
  checks: Record<string, { ok: boolean; detail?: string }>;
}

export async function evaluateSystemStatus(checks: readonly StatusCheck[], options: { refresh: boolean }): Promise<SystemStatusReport> {
  const results = await Promise.all(
    checks.map(async (check): Promise<[string, StatusCheckResult]> => {
      try {
        return [check.name, await withTimeout(check.run(options), check.timeoutMs ?? READINESS_CHECK_TIMEOUT_MS)];
      } catch (error) {
        const detail = error instanceof Error && error.message === 'timed out' ? 'timed out' : 'failed';
        return [check.name, { ok: false, detail, blockers: [check.onFailure] }];
      }
    }),
  );
  const blockers = results.flatMap(([, result]) => result.blockers ?? []);
  const status = blockers.some((b) => b.severity === 'blocked') ? 'blocked' : blockers.length > 0 ? 'degraded' : 'ok';
  const view = Object.fromEntries(results.map(([name, r]) => [name, r.detail === undefined ? { ok: r.ok } : { ok: r.ok, detail: r.detail }]));
  return { status, blockers, checks: view };
}
