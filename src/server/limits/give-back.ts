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
export async function giveBack(steps: readonly GiveBackStep[]): Promise<void> {
  const store = steps[0]?.gate.store;
  const scriptable = ({ gate, kind }: GiveBackStep) =>
    gate.store === store && (kind === 'reset' || windowFitsScripts(gate.spec));
  if (!store?.giveBack || steps.length < 2 || !steps.every(scriptable)) {
    await Promise.all(steps.map(({ gate, key, kind }) => (kind === 'reset' ? gate.reset(key) : gate.refund(key))));
    return;
  }
  await orStoreUnavailable(store.giveBack(steps.map(({ gate, key, kind }) => ({ spec: gate.spec, key, kind }))));
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
  const together = steps.length > 0 && steps.every(({ gate, kind }) => gate.store.attemptStash === stash && (kind === 'reset' || windowFitsScripts(gate.spec)));
  if (together) {
    await orStoreUnavailable(stash.remove(key, steps.map(({ gate, key: counter, kind }) => ({ spec: gate.spec, key: counter, kind }))));
    return;
  }
  await Promise.all([giveBack(steps), stash.remove(key).catch(onRemoveFailed)]);
}
