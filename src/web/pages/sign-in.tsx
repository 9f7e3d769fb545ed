import { useQueryClient } from '@tanstack/react-query';
import { KeyRoundIcon, SmartphoneIcon } from 'lucide-react';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link, useLocation, useNavigate } from 'react-router-dom';
import { AuthLayout } from '../components/layout';
import { BackupCodeField, CodeField } from '../components/code-field';
import { ErrorAlert, LockoutAlert } from '../components/error-alert';
import { PasswordField } from '../components/password-field';
import { Alert, AlertDescription } from '../components/ui/alert';
import { Button } from '../components/ui/button';
import { Card, CardContent, CardDescription, CardHeader } from '../components/ui/card';
import { Input } from '../components/ui/input';
import { Label } from '../components/ui/label';
import { RememberBrowserField } from '../features/sessions/remember-browser-field';
import { useLockout } from '../hooks/use-lockout';
import { api, isApiError } from '../lib/api';
import type { Me, SecondFactor } from '../lib/api-types';
import { meQueryKey } from '../lib/query-client';
import { PasskeySignInButton } from '../features/passkeys/passkey-sign-in';

/** Where a guarded page sent the person from, to return there after signing in. */
export interface SignInLocationState {
  from?: string;
  notice?: string;
}

/** The second step's input: the temp token is held here, in memory, and nowhere else. */
interface SecondStep {
  tempToken: string;
  email: string;
  methods: string[];
  /** How long "Remember this browser" lasts; 0 when the server has it off. */
  rememberDays: number;
}

const TEMP_TOKEN_CODES = new Set(['TEMP_TOKEN_EXPIRED', 'TEMP_TOKEN_INVALID']);

export function SignInPage() {
  const location = useLocation();
  const state = (location.state ?? {}) as SignInLocationState;
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [secondStep, setSecondStep] = useState<SecondStep | null>(null);
  // An error carried back from the second step (expired attempt) to the password step.
  const [carriedError, setCarriedError] = useState<unknown>(null);

  const finish = (me: Me) => {
    queryClient.setQueryData(meQueryKey, me);
    void queryClient.invalidateQueries({ queryKey: meQueryKey });
    navigate(state.from && state.from.startsWith('/') ? state.from : '/settings/security', { replace: true });
  };

  return (
    <AuthLayout>
      {secondStep ? (
        <SecondFactorStep
          step={secondStep}
          onSignedIn={finish}
          onRestart={(reason) => {
            setCarriedError(reason);
            setSecondStep(null);
          }}
        />
      ) : (
        <PasswordStep
          notice={state.notice}
          carriedError={carriedError}
          onSecondFactor={(step) => {
            setCarriedError(null);
            setSecondStep(step);
          }}
          onSignedIn={finish}
        />
      )}
    </AuthLayout>
  );
}

function PasswordStep({
  notice,
  carriedError,
  onSecondFactor,
  onSignedIn,
}: {
  notice: string | undefined;
  carriedError: unknown;
  onSecondFactor: (step: SecondStep) => void;
  onSignedIn: (me: Me) => void;
}) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(carriedError);
  const { lockout, secondsLeft, capture } = useLockout();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const result = await api.login(email, password);
      if (result.requires_2fa) onSecondFactor({ tempToken: result.temp_token, email, methods: result.methods, rememberDays: result.remember_device_days ?? 0 });
      else onSignedIn({ user: result.user, session: result.session });
    } catch (failure) {
      if (!capture(failure)) setError(failure);
      setBusy(false);
    }
  };

  return (
    <Card>
      <CardHeader>
        <h1 className="text-2xl leading-tight font-semibold">Sign in</h1>
        <CardDescription>Use your email and password.</CardDescription>
      </CardHeader>
      <CardContent>
        <form method="post" onSubmit={submit} className="grid gap-4">
          {notice && !error && !lockout ? (
            <Alert role="status">
              <AlertDescription>{notice}</AlertDescription>
            </Alert>
          ) : null}
          {lockout ? (
            <LockoutAlert lockout={lockout} secondsLeft={secondsLeft} />
          ) : (
            <ErrorAlert error={error} title={isApiError(error) && TEMP_TOKEN_CODES.has(error.errorCode) ? 'Sign in again' : 'Could not sign in'} />
          )}
          <div className="grid gap-2">
            <Label htmlFor="email">Email</Label>
            <Input id="email" type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} required />
          </div>
          <PasswordField id="password" label="Password" kind="current" value={password} onChange={setPassword} />
          <Link to="/forgot-password" className="-mt-2 justify-self-end text-sm text-muted-foreground underline underline-offset-4">
            Forgot password?
          </Link>
          <Button type="submit" disabled={busy || lockout !== null} className="w-full">
            {busy ? 'Signing in…' : 'Sign in'}
          </Button>
          <PasskeySignInButton label="Sign in with a passkey" onSignedIn={onSignedIn} onError={setError} onStart={() => setError(null)} disabled={busy || lockout !== null} />
          <p className="text-center text-sm text-muted-foreground">
            No account yet?{' '}
            <Link to="/sign-up" className="font-medium text-foreground underline underline-offset-4">
              Create one
            </Link>
          </p>
        </form>
      </CardContent>
    </Card>
  );
}

function SecondFactorStep({
  step,
  onSignedIn,
  onRestart,
}: {
  step: SecondStep;
  onSignedIn: (me: Me) => void;
  onRestart: (reason: unknown) => void;
}) {
  const [mode, setMode] = useState<'totp' | 'backup'>('totp');
  const [code, setCode] = useState('');
  const [backupCode, setBackupCode] = useState('');
  const [remember, setRemember] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const { lockout, secondsLeft, capture } = useLockout();
  const fieldRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    fieldRef.current?.focus();
  }, [mode]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (lockout) return;
    const factor: SecondFactor = mode === 'totp' ? { code } : { backup_code: backupCode };
    setBusy(true);
    setError(null);
    try {
      const result = await api.verifySecondFactor(step.tempToken, factor, remember);
      onSignedIn(result);
    } catch (failure) {
      setBusy(false);
      if (isApiError(failure) && TEMP_TOKEN_CODES.has(failure.errorCode)) {
        onRestart(failure);
        return;
      }
      if (!capture(failure)) setError(failure);
      setCode('');
      setBackupCode('');
    }
  };

  const switchMode = () => {
    setError(null);
    setMode(mode === 'totp' ? 'backup' : 'totp');
  };

  const ready = mode === 'totp' ? /^\d{6}$/.test(code) : backupCode.trim().length > 0;

  return (
    <Card>
      <CardHeader>
        <h1 className="text-2xl leading-tight font-semibold">Two-factor authentication</h1>
        <CardDescription>
          {mode === 'totp' ? (
            <>Enter the 6-digit code from your authenticator app for {step.email}.</>
          ) : (
            <>Enter one of the backup codes you saved when you turned on two-factor authentication. Each works once.</>
          )}
        </CardDescription>
      </CardHeader>
      <CardContent>
        <form method="post" onSubmit={submit} className="grid gap-4">
          {lockout ? (
            <LockoutAlert lockout={lockout} secondsLeft={secondsLeft} />
          ) : (
            <ErrorAlert error={error} title={mode === 'totp' ? 'Code not accepted' : 'Backup code not accepted'} />
          )}
          {mode === 'totp' ? (
            <CodeField id="totp-code" value={code} onChange={setCode} ref={fieldRef} />
          ) : (
            <BackupCodeField id="backup-code" value={backupCode} onChange={setBackupCode} ref={fieldRef} />
          )}
          <RememberBrowserField days={step.rememberDays} checked={remember} onChange={setRemember} />
          <Button type="submit" disabled={busy || lockout !== null || !ready} className="w-full">
            {busy ? 'Checking…' : 'Verify'}
          </Button>
          {step.methods.includes('passkey') ? (
            <PasskeySignInButton
              tempToken={step.tempToken}
              label="Use a passkey"
              onSignedIn={onSignedIn}
              onStart={() => setError(null)}
              onError={(failure) => (isApiError(failure) && TEMP_TOKEN_CODES.has(failure.errorCode) ? onRestart(failure) : !capture(failure) && setError(failure))}
              disabled={lockout !== null}
            />
          ) : null}
          <Button type="button" variant="link" onClick={switchMode} className="h-auto justify-start px-0 has-[>svg]:px-0">
            {mode === 'totp' ? <KeyRoundIcon aria-hidden="true" /> : <SmartphoneIcon aria-hidden="true" />}
            {mode === 'totp' ? 'Use a backup code instead' : 'Use your authenticator app instead'}
          </Button>
          <Button type="button" variant="ghost" onClick={() => onRestart(null)} className="h-auto justify-start px-0 text-muted-foreground">
            Cancel and sign in again
          </Button>
        </form>
      </CardContent>
    </Card>
  );
}
