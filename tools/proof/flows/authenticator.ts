import { generateTotpCode, matchTotpStep, TOTP_PERIOD_SECONDS, totpStepAt } from '../../../src/server/twofactor/totp';

/**
 * The proof plays the authenticator app on the real clock. The server refuses a TOTP step at
 * or below the last one it accepted (replay, ASVS 2.8.4), so a second use of TOTP by the same
 * user waits for the next 30-second step in real time instead of faking the clock.
 */
export interface TotpCode {
  code: string;
  step: number;
  atMs: number;
}

export function codeNow(secret: string, nowMs = Date.now()): TotpCode {
  return { code: generateTotpCode(secret, nowMs), step: totpStepAt(nowMs), atMs: nowMs };
}

export function codeMatches(secret: string, code: string, nowMs: number): boolean {
  return matchTotpStep(secret, code, nowMs) !== null;
}

/** A six-digit code that is wrong for every step the server could accept around `nowMs`. */
export function wrongCode(secret: string, nowMs: number, attempt: number): string {
  const near = new Set([-2, -1, 0, 1, 2].map((d) => generateTotpCode(secret, nowMs + d * TOTP_PERIOD_SECONDS * 1000)));
  for (let i = 0; ; i += 1) {
    const candidate = String((Number(generateTotpCode(secret, nowMs)) + 500_000 + attempt * 7919 + i) % 1_000_000).padStart(6, '0');
    if (!near.has(candidate)) return candidate;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits in real time until the current TOTP step is after `step`; returns how long it waited. */
export async function waitForStepAfter(step: number): Promise<number> {
  const started = Date.now();
  // 300 ms past the boundary, so the code is not computed on the edge of two steps.
  const target = (step + 1) * TOTP_PERIOD_SECONDS * 1000 + 300;
  if (Date.now() < target) await sleep(target - Date.now());
  return Date.now() - started;
}

/** The transcript's account of a wait for a fresh TOTP step (or of not needing one). */
export function describeStepWait(waitedMs: number, usedStep: number, usedBy: string): string {
  const why = `${usedBy} used step ${usedStep}, and the server refuses a step at or below the last one it accepted (replay protection)`;
  return waitedMs >= 100
    ? `waited ${(waitedMs / 1000).toFixed(1)} s in real time for the next 30-second TOTP step: ${why}`
    : `no wait needed: the clock had already moved past step ${usedStep}; ${why}`;
}
