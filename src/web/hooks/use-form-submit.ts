import { useCallback, useState } from 'react';
import { ReauthCancelledError } from '../components/reauth-provider';
import { useLockout } from './use-lockout';

export type SubmitOutcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

export interface FormSubmitOptions {
  /** An error to show before the first submit (one carried over from an earlier step). */
  initialError?: unknown;
  /** false for a form that shows no countdown: a throttling answer is then an error like any other. */
  lockout?: boolean;
}

/**
 * The one form-submit pattern: busy while the call runs, the previous error cleared, a throttling
 * answer turned into a lockout countdown, a cancelled password prompt ignored, any other failure
 * kept as `error` for an ErrorAlert. The caller decides what success and failure mean beyond that.
 */
export function useFormSubmit({ initialError = null, lockout: countsDown = true }: FormSubmitOptions = {}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(initialError);
  const { lockout, secondsLeft, capture, clear } = useLockout();

  const run = useCallback(
    async <T>(action: () => Promise<T>): Promise<SubmitOutcome<T>> => {
      setBusy(true);
      setError(null);
      try {
        const value = await action();
        setBusy(false);
        return { ok: true, value };
      } catch (failure) {
        setBusy(false);
        if (!(failure instanceof ReauthCancelledError) && !(countsDown && capture(failure))) setError(failure);
        return { ok: false, error: failure };
      }
    },
    [capture, countsDown],
  );

  const reset = useCallback(() => {
    setBusy(false);
    setError(null);
    clear();
  }, [clear]);

  return { busy, error, setError, lockout, secondsLeft, run, reset };
}
