import { useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { AuthLayout } from '../components/layout';
import { ErrorAlert } from '../components/error-alert';
import { Alert, AlertDescription } from '../components/ui/alert';
import { Button } from '../components/ui/button';
import { Card, CardContent, CardDescription, CardHeader } from '../components/ui/card';
import { Input } from '../components/ui/input';
import { Label } from '../components/ui/label';
import { useFormSubmit } from '../hooks/use-form-submit';
import { api } from '../lib/api';

/** Asks for a reset link. The answer is the same whether or not the email has an account. */
export function ForgotPasswordPage() {
  const [email, setEmail] = useState('');
  const [sent, setSent] = useState(false);
  // The page shows no countdown: a throttled request is said like any other failure.
  const { busy, error, run } = useFormSubmit({ lockout: false });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const outcome = await run(() => api.forgotPassword(email));
    if (outcome.ok) setSent(true);
  };

  return (
    <AuthLayout>
      <Card>
        <CardHeader>
          <h1 className="text-2xl leading-tight font-semibold">Forgot your password?</h1>
          <CardDescription>Enter the email of your account and we will send you a link to set a new password.</CardDescription>
        </CardHeader>
        <CardContent>
          {sent ? (
            <Alert role="status">
              <AlertDescription>
                If an account uses {email}, a reset link is on its way. It works once and expires soon. Check your inbox.
              </AlertDescription>
            </Alert>
          ) : (
            <form method="post" onSubmit={submit} className="grid gap-4">
              <ErrorAlert error={error} title="Could not send the link" />
              <div className="grid gap-2">
                <Label htmlFor="email">Email</Label>
                <Input id="email" type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} required />
              </div>
              <Button type="submit" disabled={busy} className="w-full">
                {busy ? 'Sending…' : 'Send reset link'}
              </Button>
            </form>
          )}
          <p className="mt-4 text-center text-sm text-muted-foreground">
            <Link to="/sign-in" className="font-medium text-foreground underline underline-offset-4">
              Back to sign in
            </Link>
          </p>
        </CardContent>
      </Card>
    </AuthLayout>
  );
}
