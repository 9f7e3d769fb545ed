import { useQueryClient } from '@tanstack/react-query';
import { useRef, useState, type FormEvent } from 'react';
import { Link, useLocation, useNavigate } from 'react-router-dom';
import { EmailField } from '../components/email-field';
import { AuthLayout } from '../components/layout';
import { ErrorAlert, LockoutAlert } from '../components/error-alert';
import { PasswordField } from '../components/password-field';
import { Alert, AlertDescription } from '../components/ui/alert';
import { Button } from '../components/ui/button';
import { Card, CardContent, CardDescription, CardHeader } from '../components/ui/card';
import { SecondFactorStep, TEMP_TOKEN_CODES, type SecondStep } from '../features/sign-in/second-factor-step';
import { useFormSubmit } from '../hooks/use-form-submit';
import { api, isApiError } from '../lib/api';
import type { Me } from '../lib/api-types';
import { meQueryKey } from '../lib/query-client';
import { PasskeySignInButton } from '../features/passkeys/passkey-sign-in';
import { emailProblem, passwordProblem } from '../lib/validate';

/** Where a guarded page sent the person from, to return there after signing in. */
export interface SignInLocationState {
  from?: string;
  notice?: string;
}

/** A restart after the attempt's last wrong code: said in words, with the email kept. */
function restartMessage(reason: unknown): string | undefined {
  if (isApiError(reason) && reason.attemptsRemaining === 0) {
    return 'That code was not correct either, and this sign-in attempt has used all its tries. Enter your password again to get a new one.';
  }
  return undefined;
}

export function SignInPage() {
  const location = useLocation();
  const state = (location.state ?? {}) as SignInLocationState;
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [secondStep, setSecondStep] = useState<SecondStep | null>(null);
  // An error carried back from the second step (expired attempt) to the password step.
  const [carriedError, setCarriedError] = useState<unknown>(null);
  // Kept across the second step, so starting over does not mean typing the email again.
  const [email, setEmail] = useState('');

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
            setEmail(secondStep.email);
            setCarriedError(reason);
            setSecondStep(null);
          }}
        />
      ) : (
        <PasswordStep
          initialEmail={email}
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
  initialEmail,
  notice,
  carriedError,
  onSecondFactor,
  onSignedIn,
}: {
  initialEmail: string;
  notice: string | undefined;
  carriedError: unknown;
  onSecondFactor: (step: SecondStep) => void;
  onSignedIn: (me: Me) => void;
}) {
  const [email, setEmail] = useState(initialEmail);
  const [password, setPassword] = useState('');
  const { busy, error, setError, lockout, secondsLeft, run } = useFormSubmit({ initialError: carriedError });
  const [fieldErrors, setFieldErrors] = useState<{ email: string | null; password: string | null }>({ email: null, password: null });
  const emailRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const problems = { email: emailProblem(email), password: passwordProblem(password, 'current') };
    setFieldErrors(problems);
    if (problems.email) return emailRef.current?.focus();
    if (problems.password) return passwordRef.current?.focus();
    await run(async () => {
      const result = await api.login(email.trim(), password);
      if (result.requires_2fa) {
        onSecondFactor({ tempToken: result.temp_token, email: email.trim(), methods: result.methods, rememberDays: result.remember_device_days ?? 0 });
      } else onSignedIn({ user: result.user, session: result.session });
    });
  };

  return (
    <Card>
      <CardHeader>
        <h1 className="text-2xl leading-tight font-semibold">Sign in</h1>
        <CardDescription>Use your email and password.</CardDescription>
      </CardHeader>
      <CardContent>
        {/* noValidate: the app's own messages (below each field), not the browser's bubbles. */}
        <form method="post" onSubmit={submit} className="grid gap-4" noValidate>
          {notice && !error && !lockout ? (
            <Alert role="status">
              <AlertDescription>{notice}</AlertDescription>
            </Alert>
          ) : null}
          {lockout ? (
            <LockoutAlert lockout={lockout} secondsLeft={secondsLeft} />
          ) : (
            <ErrorAlert
              error={error}
              title={isApiError(error) && (TEMP_TOKEN_CODES.has(error.errorCode) || error.attemptsRemaining === 0) ? 'Sign in again' : 'Could not sign in'}
              message={restartMessage(error)}
            />
          )}
          <EmailField ref={emailRef} value={email} onChange={setEmail} error={fieldErrors.email} />
          <PasswordField
            ref={passwordRef}
            id="password"
            label="Password"
            kind="current"
            value={password}
            onChange={setPassword}
            error={fieldErrors.password}
          />
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
