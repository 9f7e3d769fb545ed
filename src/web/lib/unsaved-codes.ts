import { useSyncExternalStore } from 'react';

/**
 * Whether backup codes are on screen and not yet marked saved. Set by the component that shows
 * them; read by sign-out (and the page's beforeunload), which must not drop them silently:
 * they are never shown again.
 */
let unsaved = false;
const listeners = new Set<() => void>();

export const unsavedCodes = {
  set(value: boolean) {
    if (unsaved === value) return;
    unsaved = value;
    for (const listener of listeners) listener();
  },
  get: () => unsaved,
  subscribe(listener: () => void) {
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  },
};

export function useUnsavedCodes(): boolean {
  return useSyncExternalStore(unsavedCodes.subscribe, unsavedCodes.get);
}
