import { AlertCircleIcon, ClockIcon } from 'lucide-react';
import { useEffect, useRef, type ReactNode } from 'react';
import { formatClockTime, formatCountdown } from '../lib/format';
import { messageForCode, messageForError } from '../lib/error-messages';
import { isApiError } from '../lib/api';
import { attemptsLeftSentence } from '../lib/validate';
import type { Lockout } from '../hooks/use-lockout';
import { Alert, AlertDescription, AlertTitle } from './ui/alert';

/**
 * An error a person must notice: role="alert" is announced, and focus moves here so keyboard and
 * screen-reader users land on it. Each new error object moves focus again, even with the same text.
 */
export function ErrorAlert({
  error,
  title = 'That did not work',
  message,
  children,
}: {
  error: unknown;
  title?: string;
  /** Words that fit this form better than the code's general message. */
  message?: string;
  children?: ReactNode;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (error) ref.current?.focus();
  }, [error]);
  if (!error) return null;
  const attemptsLeft = isApiError(error) ? attemptsLeftSentence(error.attemptsRemaining) : null;
  const detail = [message ?? (typeof error === 'string' ? error : messageForError(error)), attemptsLeft].filter(Boolean).join(' ');
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

/**
 * A lockout with when it ends, counting down; the form's submit is disabled meanwhile. A
 * two-factor lock also says what still works and how to get back in without the codes.
 */
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
        {lockout.code === 'TWO_FACTOR_LOCKED' ? <TwoFactorLockHelp /> : null}
      </AlertDescription>
    </Alert>
  );
}

/** What a person locked out of two-factor needs to know: nothing else changed, and who can help. */
function TwoFactorLockHelp() {
  return (
    <>
      <p>Authenticator codes and backup codes are both refused until then. Your password and your account are unchanged.</p>
      <p>
        Lost your phone and your backup codes? Ask an administrator to reset two-factor for your account (they run{' '}
        <code className="font-mono text-xs">user:reset-2fa</code>); you then sign in with your password and set it up again.
      </p>
    </>
  );
}
