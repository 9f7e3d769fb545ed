/** Time is a dependency: tests pass a FakeClock and advance it instead of sleeping. */
export interface Clock {
  nowMs(): number;
}

export const systemClock: Clock = {
  nowMs: () => Date.now(),
};
