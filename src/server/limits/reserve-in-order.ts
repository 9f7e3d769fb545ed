import { orStoreUnavailable, storeUnavailable, type HitContext, type LimitGate } from './limit-gate';
import { windowFitsScripts, type ConsumeOutcome } from './limiter-store';

/** One point to take: from `gate`, for `key`, reported against `context` if refused. */
export interface ReserveStep {
  gate: LimitGate;
  key: string;
  context?: HitContext;
}

/**
 * Takes a point from each gate in the order given and resolves to the points each has left.
 * The first gate that refuses throws its refusal (reported like any other) and the gates after
 * it are not spent: a refused address does not use up an account's budget, nor a locked
 * account its daily cap. Exactly what awaiting `gate.reserve` for each step would do; where the
 * store can (Redis) it is one atomic round trip instead of one per gate.
 */
export async function reserveInOrder(steps: readonly ReserveStep[]): Promise<number[]> {
  const store = steps[0]?.gate.store;
  const scriptable = ({ gate }: ReserveStep) => gate.store === store && windowFitsScripts(gate.spec);
  if (!store?.consumeInOrder || steps.length < 2 || !steps.every(scriptable)) {
    const remaining: number[] = [];
    for (const step of steps) remaining.push(await step.gate.reserve(step.key, step.context));
    return remaining;
  }
  const outcomes = await orStoreUnavailable(store.consumeInOrder(steps.map(({ gate, key }) => ({ spec: gate.spec, key }))));
  return judgeInOrder(steps, outcomes);
}

/**
 * What the gates make of the outcomes a store reported for `steps`, taken in one round trip:
 * the points each has left, or the refusal of the step the store stopped at (reported and
 * thrown, as its `reserve` would have). A store that stopped early without a refusal failed.
 */
export async function judgeInOrder(steps: readonly ReserveStep[], outcomes: readonly ConsumeOutcome[]): Promise<number[]> {
  const remaining: number[] = [];
  for (const [i, outcome] of outcomes.entries()) {
    const step = steps[i]!;
    // Throws for the step that was refused, which is the last one the store took.
    remaining.push(await step.gate.judge(step.key, step.context ?? {}, outcome));
  }
  if (remaining.length !== steps.length) throw storeUnavailable(new Error('the store stopped without a refusal'));
  return remaining;
}
