import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { AuthLayout } from '../components/layout';
import { ErrorAlert, LockoutAlert } from '../components/error-alert';
import { PasswordField } from '../components/password-field';
import { Button } from '../components/ui/button';
import { Card, CardContent, CardDescription, CardHeader } from '../components/ui/card';
import { Input } from '../components/ui/input';
import { Label } from '../components/ui/label';
import { useLockout } from '../hooks/use-lockout';
import { api } from '../lib/api';
import { meQueryKey } from '../lib/query-client';

/** Registration does not sign in (the API's choice); the page signs in right after with the same credentials. */
export function SignUpPage() {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const { lockout, secondsLeft, capture } = useLockout();
  const navigate = useNavigate();
  const queryClient = useQueryClient();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.register(email, password);
      const login = await api.login(email, password);
      if (login.requires_2fa) {
        navigate('/sign-in', { replace: true, state: { notice: 'Account created. Sign in to continue.' } });
        return;
      }
      queryClient.setQueryData(meQueryKey, { user: login.user, session: login.session });
      navigate('/settings/security', { replace: true });
    } catch (failure) {
      if (!capture(failure)) setError(failure);
      setBusy(false);
    }
  };

  return (
    <AuthLayout>
      <Card>
        <CardHeader>
          <h1 className="text-2xl leading-tight font-semibold">Create an account</h1>
          <CardDescription>You can turn on two-factor authentication right after.</CardDescription>
        </CardHeader>
        <CardContent>
          <form method="post" onSubmit={submit} className="grid gap-4">
            {lockout ? <LockoutAlert lockout={lockout} secondsLeft={secondsLeft} /> : <ErrorAlert error={error} title="Could not create the account" />}
            <div className="grid gap-2">
              <Label htmlFor="email">Email</Label>
              <Input id="email" type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} required />
            </div>
            <PasswordField id="new-password" label="Password" kind="new" value={password} onChange={setPassword} />
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
