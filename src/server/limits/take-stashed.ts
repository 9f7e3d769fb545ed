import { orStoreUnavailable, type HitContext, type LimitGate } from './limit-gate';
import { windowFitsScripts, type AttemptStash, type StashTake } from './limiter-store';
import { judgeInOrder, reserveInOrder, type ReserveStep } from './reserve-in-order';

/** The throttle points an attempt on a stashed value pays. */
export interface StashAttemptGates {
  /** Paid whatever the stash holds: an attempt on a missing or spent value still costs its address. */
  always: ReadonlyArray<{ gate: LimitGate; key: string }>;
  /** Paid after `always`, only when the stash handed its value over: counted for the value's owner. */
  owner: readonly LimitGate[];
  /** Whom a refusal is reported against: the owner, once the stash named one. */
  context(owner: string | undefined): HitContext;
}

/**
 * Takes one attempt on a stashed value, then the points of `gates` in order, stopping at the
 * first refusal (thrown, as `reserve` throws it). Where the gates count in the stash's own store
 * (Redis) that is one atomic round trip; otherwise the points follow the attempt gate by gate.
 * Resolves to what the stash found and the points left, per `always` gate and then per `owner`
 * gate (those only when the value was handed over). The store unreachable is a 503.
 */
export async function takeStashedAttempt(
  stash: AttemptStash,
  key: string,
  maxAttempts: number,
  nowMs: number,
  gates: StashAttemptGates,
): Promise<{ take: StashTake; remaining: number[] }> {
  const together = [...gates.always.map(({ gate }) => gate), ...gates.owner].every(
    (gate) => gate.store.attemptStash === stash && windowFitsScripts(gate.spec),
  );
  const points = together
    ? { always: gates.always.map(({ gate, key: counter }) => ({ spec: gate.spec, key: counter })), owner: gates.owner.map(({ spec }) => spec) }
    : undefined;
  const { take, outcomes } = await orStoreUnavailable(stash.take(key, maxAttempts, nowMs, points));
  const owner = take.state === 'taken' ? take.owner : undefined;
  const context = gates.context(owner);
  const steps: ReserveStep[] = [
    ...gates.always.map((step) => ({ ...step, context })),
    ...(owner === undefined ? [] : gates.owner.map((gate) => ({ gate, key: owner, context }))),
  ];
  const remaining = together ? await judgeInOrder(steps, outcomes) : await reserveInOrder(steps);
  return { take, remaining };
}
