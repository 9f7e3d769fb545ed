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
