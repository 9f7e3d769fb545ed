import { orStoreUnavailable, type LimitGate } from './limit-gate';
import { windowFitsScripts } from './limiter-store';

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
