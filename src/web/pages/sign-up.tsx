import { useQueryClient } from '@tanstack/react-query';
import { useRef, useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { EmailField } from '../components/email-field';
import { ErrorAlert, LockoutAlert } from '../components/error-alert';
import { AuthLayout } from '../components/layout';
import { PasswordField } from '../components/password-field';
import { Button } from '../components/ui/button';
import { Card, CardContent, CardDescription, CardHeader } from '../components/ui/card';
import { useFormSubmit } from '../hooks/use-form-submit';
import { api } from '../lib/api';
import { meQueryKey } from '../lib/query-client';
import { emailProblem, passwordProblem } from '../lib/validate';

/** Registration does not sign in (the API's choice); the page signs in right after with the same credentials. */
export function SignUpPage() {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [fieldErrors, setFieldErrors] = useState<{ email: string | null; password: string | null }>({ email: null, password: null });
  const { busy, error, lockout, secondsLeft, run } = useFormSubmit();
  const emailRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);
  const navigate = useNavigate();
  const queryClient = useQueryClient();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const problems = { email: emailProblem(email), password: passwordProblem(password, 'new') };
    setFieldErrors(problems);
    if (problems.email) return emailRef.current?.focus();
    if (problems.password) return passwordRef.current?.focus();
    const outcome = await run(async () => {
      await api.register(email.trim(), password);
      return api.login(email.trim(), password);
    });
    if (!outcome.ok) return;
    if (outcome.value.requires_2fa) {
      navigate('/sign-in', { replace: true, state: { notice: 'Account created. Sign in to continue.' } });
      return;
    }
    queryClient.setQueryData(meQueryKey, { user: outcome.value.user, session: outcome.value.session });
    navigate('/settings/security', { replace: true });
  };

  return (
    <AuthLayout>
      <Card>
        <CardHeader>
          <h1 className="text-2xl leading-tight font-semibold">Create an account</h1>
          <CardDescription>You can turn on two-factor authentication right after.</CardDescription>
        </CardHeader>
        <CardContent>
          {/* noValidate: the app's own messages (below each field), not the browser's bubbles. */}
          <form method="post" onSubmit={submit} className="grid gap-4" noValidate>
            {lockout ? <LockoutAlert lockout={lockout} secondsLeft={secondsLeft} /> : <ErrorAlert error={error} title="Could not create the account" />}
            <EmailField ref={emailRef} value={email} onChange={setEmail} error={fieldErrors.email} />
            <PasswordField
              ref={passwordRef}
              id="new-password"
              label="Password"
              kind="new"
              value={password}
              onChange={setPassword}
              error={fieldErrors.password}
            />
            <Button type="submit" disabled={busy || lockout !== null} className="w-full">
              {busy ? 'Creating account…' : 'Create account'}
            </Button>
            <p className="text-center text-sm text-muted-foreground">
              Already have an account?{' '}
              <Link to="/sign-in" className="font-medium text-foreground underline underline-offset-4">
                Sign in
              </Link>
            </p>
          </form>
        </CardContent>
      </Card>
    </AuthLayout>
  );
}
