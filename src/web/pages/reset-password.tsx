import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { AuthLayout } from '../components/layout';
import { ErrorAlert } from '../components/error-alert';
import { PasswordField } from '../components/password-field';
import { Alert, AlertDescription } from '../components/ui/alert';
import { Button } from '../components/ui/button';
import { Card, CardContent, CardDescription, CardHeader } from '../components/ui/card';
import { useFormSubmit } from '../hooks/use-form-submit';
import { api } from '../lib/api';
import { meQueryKey } from '../lib/query-client';

/**
 * The link's token sits in the fragment (#token=…), which browsers never send to a server. It is
 * read once and removed from the address bar, so it stays out of history, bookmarks and screenshots.
 */
function takeTokenFromFragment(): string | undefined {
  const token = new URLSearchParams(window.location.hash.slice(1)).get('token') ?? undefined;
  if (window.location.hash) window.history.replaceState(window.history.state, '', window.location.pathname);
  return token;
}

export function ResetPasswordPage() {
  const [token] = useState(takeTokenFromFragment);
  const [password, setPassword] = useState('');
  // The page shows no countdown: a throttled request is said like any other failure.
  const { busy, error, run } = useFormSubmit({ lockout: false });
  const navigate = useNavigate();
  const queryClient = useQueryClient();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!token) return;
    await run(async () => {
      await api.resetPassword(token, password);
      // Every session ended with the reset, this browser's included.
      queryClient.setQueryData(meQueryKey, null);
      navigate('/sign-in', { replace: true, state: { notice: 'Your new password is set and every device was signed out. Sign in with it.' } });
    });
  };

  return (
    <AuthLayout>
      <Card>
        <CardHeader>
          <h1 className="text-2xl leading-tight font-semibold">Set a new password</h1>
          <CardDescription>Setting it signs out every device. Two-factor authentication, if it is on, stays on.</CardDescription>
        </CardHeader>
        <CardContent>
          {token ? (
            <form method="post" onSubmit={submit} className="grid gap-4">
              <ErrorAlert error={error} title="Could not set the password" />
              <PasswordField id="new-password" label="New password" kind="new" value={password} onChange={setPassword} />
              <Button type="submit" disabled={busy} className="w-full">
                {busy ? 'Setting password…' : 'Set new password'}
              </Button>
            </form>
          ) : (
            <Alert variant="destructive">
              <AlertDescription>This page needs the link from the reset email. Ask for a new one if it no longer works.</AlertDescription>
            </Alert>
          )}
          <p className="mt-4 text-center text-sm text-muted-foreground">
            <Link to="/forgot-password" className="font-medium text-foreground underline underline-offset-4">
              Ask for a new link
            </Link>
          </p>
        </CardContent>
      </Card>
    </AuthLayout>
  );
}
