import { AlertCircleIcon, ClockIcon } from 'lucide-react';
import { useEffect, useRef, type ReactNode } from 'react';
import { formatClockTime, formatCountdown } from '../lib/format';
import { messageForCode, messageForError } from '../lib/error-messages';
import { isApiError } from '../lib/api';
import type { Lockout } from '../hooks/use-lockout';
import { Alert, AlertDescription, AlertTitle } from './ui/alert';

/**
 * An error a person must notice: role="alert" is announced, and focus moves here so keyboard and
 * screen-reader users land on it. Each new error object moves focus again, even with the same text.
 */
export function ErrorAlert({ error, title = 'That did not work', children }: { error: unknown; title?: string; children?: ReactNode }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (error) ref.current?.focus();
  }, [error]);
  if (!error) return null;
  const detail = typeof error === 'string' ? error : messageForError(error);
  return (
    <Alert ref={ref} variant="destructive" role="alert" tabIndex={-1} data-error-code={isApiError(error) ? error.errorCode : undefined}>
      <AlertCircleIcon aria-hidden="true" />
      <AlertTitle>{title}</AlertTitle>
      <AlertDescription>
        <p>{detail}</p>
        {children}
      </AlertDescription>
    </Alert>
  );
}

/** A lockout with when it ends, counting down; the form's submit is disabled meanwhile. */
export function LockoutAlert({ lockout, secondsLeft }: { lockout: Lockout; secondsLeft: number }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    ref.current?.focus();
  }, [lockout]);
  return (
    <Alert ref={ref} variant="warning" role="alert" tabIndex={-1} data-error-code={lockout.code} data-testid="lockout">
      <ClockIcon aria-hidden="true" />
      <AlertTitle>{messageForCode(lockout.code)}</AlertTitle>
      <AlertDescription>
        <p>
          You can try again at {formatClockTime(lockout.untilMs)}, in{' '}
          <span role="timer" aria-live="off" className="font-mono font-semibold text-foreground" data-testid="lockout-countdown">
            {formatCountdown(secondsLeft)}
          </span>
          .
        </p>
      </AlertDescription>
    </Alert>
  );
}
