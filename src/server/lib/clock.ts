/** Time is a dependency: tests pass a FakeClock and advance it instead of sleeping. */
export interface Clock {
  nowMs(): number;
}

export const systemClock: Clock = {
  nowMs: () => Date.now(),
};

export function clockDate(clock: Clock): Date {
  return new Date(clock.nowMs());
}
