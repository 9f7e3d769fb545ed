import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AppError } from '../../src/server/core/app-error';
import { createLimitGate, type LimitHit } from '../../src/server/limits/limit-gate';
import { openLimiterStore } from '../../src/server/limits/limiter-store';

/** The throttle primitive on the in-memory store, with a fake clock (no sleeping). */
const store = openLimiterStore({ redisUrl: undefined, redisKeyPrefix: 'unit', pool: undefined, logger: pino({ level: 'silent' }) });
let hits: LimitHit[];
let counter = 0;
const newGate = (blockDurationSeconds = 0) => {
  counter += 1;
  return createLimitGate(store, { name: `unit_${counter}`, points: 3, durationSeconds: 60, blockDurationSeconds }, 'TWO_FACTOR_LOCKED', (hit) => {
    hits.push(hit);
  });
};

async function refusalOf(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

beforeEach(() => {
  hits = [];
  vi.useFakeTimers({ now: new Date('2026-11-26T12:00:00Z') });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('LimitGate', () => {
  it('reserves up to its points, then refuses with its error code and retry_after; only the first refusal is marked first', async () => {
    const gate = newGate();
    for (let i = 0; i < 3; i += 1) await gate.reserve('k');
    vi.advanceTimersByTime(20_000);
    const first = await refusalOf(gate.reserve('k', { userId: 'u1' }));
    expect(first.code).toBe('TWO_FACTOR_LOCKED');
    expect(first.retryAfterSeconds).toBe(40);
    await refusalOf(gate.reserve('k'));
    expect(hits.map((h) => [h.limiter, h.firstRefusal, h.context.userId])).toEqual([
      [gate.spec.name, true, 'u1'],
      [gate.spec.name, false, undefined],
    ]);
  });

  it('gives points back (refund), clears them (reset), and is whole again when the window ends', async () => {
    const gate = newGate();
    for (let i = 0; i < 3; i += 1) await gate.reserve('k');
    await gate.refund('k');
    await gate.reserve('k');
    await refusalOf(gate.reserve('k'));
    await gate.reset('k');
    for (let i = 0; i < 3; i += 1) await gate.reserve('k');
    await refusalOf(gate.reserve('k'));
    vi.advanceTimersByTime(61_000);
    await gate.reserve('k');
    // Keys are independent.
    for (let i = 0; i < 3; i += 1) await gate.reserve('other');
  });

  it('with a block duration, stays refused for the whole block even after its window', async () => {
    const gate = newGate(900);
    for (let i = 0; i < 3; i += 1) await gate.reserve('k');
    expect((await refusalOf(gate.reserve('k'))).retryAfterSeconds).toBe(900);
    vi.advanceTimersByTime(120_000);
    expect((await refusalOf(gate.reserve('k'))).retryAfterSeconds).toBe(780);
    vi.advanceTimersByTime(781_000);
    await gate.reserve('k');
  });
});
