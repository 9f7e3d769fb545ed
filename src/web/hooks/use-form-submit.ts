import { useCallback, useState } from 'react';
import { ReauthCancelledError } from '../components/reauth-provider';
import { useLockout } from './use-lockout';

export type SubmitOutcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * The one form-submit pattern: busy while the call runs, the previous error cleared, a throttling
 * answer turned into a lockout countdown, a cancelled password prompt ignored, any other failure
 * kept as `error` for an ErrorAlert. The caller decides what success and failure mean beyond that.
 */
export function useFormSubmit() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
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
        if (!(failure instanceof ReauthCancelledError) && !capture(failure)) setError(failure);
        return { ok: false, error: failure };
      }
    },
    [capture],
  );

  const reset = useCallback(() => {
    setBusy(false);
    setError(null);
    clear();
  }, [clear]);

  return { busy, error, setError, lockout, secondsLeft, run, reset };
}
