import { useCallback, useState } from 'react';
import { isApiError } from '../lib/api';
import { useCountdown } from './use-countdown';

const LOCKOUT_CODES = new Set(['RATE_LIMITED', 'TWO_FACTOR_LOCKED']);

export interface Lockout {
  code: string;
  untilMs: number;
}

/**
 * Throttling answers (429 with retry_after) become a deadline the form counts down to; the
 * submit button stays disabled until then. The deadline lives in memory only.
 */
export function useLockout() {
  const [lockout, setLockout] = useState<Lockout | null>(null);
  const secondsLeft = useCountdown(lockout?.untilMs ?? null);
  const active = lockout !== null && secondsLeft > 0;

  /** Returns true when the error was a lockout (and starts the countdown). */
  const capture = useCallback((error: unknown): boolean => {
    // The wrong code that used the last try: the lock starts now, so say so now, not at the next try.
    if (isApiError(error) && error.lockedForSeconds !== undefined) {
      setLockout({ code: 'TWO_FACTOR_LOCKED', untilMs: Date.now() + error.lockedForSeconds * 1000 });
      return true;
    }
    if (!isApiError(error) || !LOCKOUT_CODES.has(error.errorCode)) return false;
    const seconds = error.retryAfterSeconds ?? 60;
    setLockout({ code: error.errorCode, untilMs: Date.now() + seconds * 1000 });
    return true;
  }, []);
  const clear = useCallback(() => setLockout(null), []);

  return { lockout: active ? lockout : null, secondsLeft, capture, clear };
}
