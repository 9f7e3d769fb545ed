import { orStoreUnavailable, type LimitGate } from './limit-gate';
import { windowFitsScripts, type AttemptStash } from './limiter-store';

/** What a successful attempt gives back to one gate for `key`: its one point, or the whole counter. */
export interface GiveBackStep {
  gate: LimitGate;
  key: string;
  kind: 'refund' | 'reset';
}

/**
 * Gives back what a successful attempt took, to every gate in `steps`: exactly `gate.refund`
 * or `gate.reset` for each, all at once. Where the store can (Redis) that is one command in
 * one round trip instead of one command per gate; the order of the steps does not matter.
 */
/** Whether a store's give-back script can do this step as the gate itself would (a reset always; a refund within the scripts' window). */
const fitsScript = ({ gate, kind }: GiveBackStep) => kind === 'reset' || windowFitsScripts(gate.spec);
const counterSteps = (steps: readonly GiveBackStep[]) => steps.map(({ gate, key, kind }) => ({ spec: gate.spec, key, kind }));

export async function giveBack(steps: readonly GiveBackStep[]): Promise<void> {
  const store = steps[0]?.gate.store;
  if (!store?.giveBack || steps.length < 2 || !steps.every((step) => step.gate.store === store && fitsScript(step))) {
    await Promise.all(steps.map(({ gate, key, kind }) => (kind === 'reset' ? gate.reset(key) : gate.refund(key))));
    return;
  }
  await orStoreUnavailable(store.giveBack(counterSteps(steps)));
}

/**
 * A success on a stashed value: gives back what it took, exactly as `giveBack` does, and removes
 * the value it used up. Where every gate counts in the stash's own store (Redis) that is one
 * command; otherwise the two run side by side. A give-back that fails is thrown (the store
 * unreachable is a 503), whereas a removal alone that fails goes to `onRemoveFailed`: a stash left
 * behind only lets later attempts reach the database, which refuses its spent token.
 */
export async function giveBackAndRemove(
  stash: AttemptStash,
  key: string,
  steps: readonly GiveBackStep[],
  onRemoveFailed: (error: unknown) => void,
): Promise<void> {
  const together = steps.length > 0 && steps.every((step) => step.gate.store.attemptStash === stash && fitsScript(step));
  if (together) {
    await orStoreUnavailable(stash.remove(key, counterSteps(steps)));
    return;
  }
  await Promise.all([giveBack(steps), stash.remove(key).catch(onRemoveFailed)]);
}
