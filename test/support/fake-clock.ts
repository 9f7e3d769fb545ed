import type { Clock } from '../../src/server/lib/clock';

/** A clock tests move by hand: expiry and lockout windows are crossed without sleeping. */
export class FakeClock implements Clock {
  private current: number;

  constructor(start: number | Date = Date.now()) {
    this.current = typeof start === 'number' ? start : start.getTime();
  }

  nowMs(): number {
    return this.current;
  }

  advanceSeconds(seconds: number): void {
    this.current += seconds * 1000;
  }

  advanceMs(ms: number): void {
    this.current += ms;
  }
}

/**
 * Throttle counters in the memory and PostgreSQL stores read `Date.now()` inside
 * rate-limiter-flexible; tests that cross a throttle window move both clocks together.
 * Only Date is faked: timers, sockets and fetch keep real time.
 */
export async function useLinkedSystemClock(clock: FakeClock) {
  const { vi } = await import('vitest');
  vi.useFakeTimers({ toFake: ['Date'], now: clock.nowMs() });
  return {
    advanceSeconds(seconds: number) {
      clock.advanceSeconds(seconds);
      vi.setSystemTime(clock.nowMs());
    },
    restore() {
      vi.useRealTimers();
    },
  };
}
