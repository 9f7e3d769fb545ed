import { KeyRoundIcon } from 'lucide-react';
import { createContext, useCallback, useContext, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { api, isApiError } from '../lib/api';
import { ErrorAlert, LockoutAlert } from './error-alert';
import { PasswordField } from './password-field';
import { Button } from './ui/button';
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from './ui/dialog';
import { useLockout } from '../hooks/use-lockout';
import { useMe } from '../hooks/use-me';

/** Thrown when the person closes the password prompt instead of confirming. */
export class ReauthCancelledError extends Error {
  constructor() {
    super('Password confirmation cancelled');
    this.name = 'ReauthCancelledError';
  }
}

type WithFreshSession = <T>(action: () => Promise<T>) => Promise<T>;

const ReauthContext = createContext<WithFreshSession | null>(null);

interface Pending {
  retry: () => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
}

/**
 * Sensitive 2FA changes need a fresh session. When the API answers SESSION_NOT_FRESH, this asks
 * for the password (POST /api/auth/reauthenticate) and then runs the refused action again.
 */
export function ReauthProvider({ children }: { children: ReactNode }) {
  const [pending, setPending] = useState<Pending | null>(null);
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const { lockout, secondsLeft, capture, clear } = useLockout();
  const pendingRef = useRef<Pending | null>(null);
  // The prompt opens without a trigger of its own: focus goes back to where it was when it opened.
  const returnFocusRef = useRef<HTMLElement | null>(null);
  const me = useMe();

  const withFreshSession = useCallback<WithFreshSession>(async (action) => {
    try {
      return await action();
    } catch (error) {
      if (!isApiError(error, 'SESSION_NOT_FRESH')) throw error;
      return new Promise((resolve, reject) => {
        returnFocusRef.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
        const next: Pending = { retry: action, resolve: resolve as (value: unknown) => void, reject };
        pendingRef.current = next;
        setPassword('');
        setError(null);
        setPending(next);
      });
    }
  }, []);

  const close = () => {
    pendingRef.current?.reject(new ReauthCancelledError());
    pendingRef.current = null;
    setPending(null);
    setPassword('');
    clear();
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const current = pendingRef.current;
    if (!current || busy) return;
    setBusy(true);
    setError(null);
    try {
      await api.reauthenticate(password);
    } catch (failure) {
      setBusy(false);
      if (!capture(failure)) setError(failure);
      return;
    }
    pendingRef.current = null;
    setPending(null);
    setPassword('');
    setBusy(false);
    // The confirmed password makes the session fresh: run what was refused.
    current.retry().then(current.resolve, current.reject);
  };

  return (
    <ReauthContext.Provider value={withFreshSession}>
      {children}
      <Dialog open={pending !== null} onOpenChange={(open) => !open && close()}>
        <DialogContent
          aria-describedby="reauth-description"
          onCloseAutoFocus={(event) => {
            event.preventDefault();
            const target = returnFocusRef.current;
            returnFocusRef.current = null;
            // After the next render: the form that asked may re-enable its button only then.
            window.setTimeout(() => {
              if (target?.isConnected) target.focus();
            }, 0);
          }}
        >
          <form onSubmit={submit} method="post" className="grid gap-4" noValidate>
            <DialogHeader>
              <DialogTitle className="flex items-center gap-2">
                <KeyRoundIcon className="size-5" aria-hidden="true" /> Confirm your password
              </DialogTitle>
              <DialogDescription id="reauth-description">
                For your security, changing two-factor settings needs your password again when you signed in more than a few minutes ago.
              </DialogDescription>
            </DialogHeader>
            {lockout ? <LockoutAlert lockout={lockout} secondsLeft={secondsLeft} /> : <ErrorAlert error={error} title="Password not confirmed" />}
            {me.data?.user.email ? (
              <input type="email" name="username" autoComplete="username" value={me.data.user.email} readOnly hidden />
            ) : null}
            <PasswordField id="reauth-password" label="Password" kind="current" value={password} onChange={setPassword} autoFocus />
            <DialogFooter>
              <Button type="button" variant="outline" onClick={close}>
                Cancel
              </Button>
              <Button type="submit" disabled={busy || password.length === 0 || lockout !== null}>
                {busy ? 'Confirming…' : 'Confirm password'}
              </Button>
            </DialogFooter>
          </form>
        </DialogContent>
      </Dialog>
    </ReauthContext.Provider>
  );
}

export function useWithFreshSession(): WithFreshSession {
  const value = useContext(ReauthContext);
  if (!value) throw new Error('useWithFreshSession needs <ReauthProvider>');
  return value;
}
