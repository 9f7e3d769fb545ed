/**
 * Readiness is a list of named checks the composition root assembles (database, migrations,
 * limiter store, ...). Each check is bounded by a timeout so a hung dependency reads as "down",
 * not as a hung probe.
 */
export interface ReadinessCheck {
  name: string;
  run(): Promise<{ ok: boolean; detail?: string }>;
}

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, { ok: boolean; detail?: string }>;
}

export const READINESS_CHECK_TIMEOUT_MS = 2_000;

export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export async function evaluateReadiness(checks: readonly ReadinessCheck[]): Promise<ReadinessReport> {
  const results = await Promise.all(
    checks.map(async (check) => {
      try {
        const result = await withTimeout(check.run(), READINESS_CHECK_TIMEOUT_MS);
        return [check.name, result] as const;
      } catch (error) {
        const detail = error instanceof Error && error.message === 'timed out' ? 'timed out' : 'unreachable';
        return [check.name, { ok: false, detail }] as const;
      }
    }),
  );
  const report = Object.fromEntries(results);
  return { ready: results.every(([, r]) => r.ok), checks: report };
}
