import { useQueryClient } from '@tanstack/react-query';
import { CheckCircle2Icon, KeyRoundIcon } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import { ErrorAlert, LockoutAlert } from '../../components/error-alert';
import { Alert, AlertDescription } from '../../components/ui/alert';
import { Button } from '../../components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '../../components/ui/card';
import { Input } from '../../components/ui/input';
import { Label } from '../../components/ui/label';
import { useLockout } from '../../hooks/use-lockout';
import { useMe } from '../../hooks/use-me';
import { api } from '../../lib/api';
import { securityEventsKey } from '../two-factor/two-factor-card';

const PASSWORD_MIN_LENGTH = 12;

/** Settings → Security: change the password; every other session is signed out by the API. */
export function ChangePasswordCard() {
  const me = useMe();
  const queryClient = useQueryClient();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<number | null>(null);
  const { lockout, secondsLeft, capture } = useLockout();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const result = await api.changePassword(current, next);
      setCurrent('');
      setNext('');
      setDone(result.sessions_revoked);
      await queryClient.invalidateQueries({ queryKey: securityEventsKey });
    } catch (failure) {
      if (!capture(failure)) setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card>
      <CardHeader>
        <CardTitle className="flex items-center gap-2">
          <KeyRoundIcon className="size-5" aria-hidden="true" />
          Password
        </CardTitle>
        <CardDescription>Changing it signs out every other browser and device.</CardDescription>
      </CardHeader>
      <CardContent>
        <form method="post" onSubmit={submit} className="grid gap-4 md:max-w-md" aria-label="Change password">
          {lockout ? <LockoutAlert lockout={lockout} secondsLeft={secondsLeft} /> : <ErrorAlert error={error} title="Password not changed" />}
          {done !== null ? (
            <Alert role="status" data-testid="password-changed">
              <CheckCircle2Icon aria-hidden="true" />
              <AlertDescription>
                Password changed. {done === 1 ? '1 other session was' : `${done} other sessions were`} signed out.
              </AlertDescription>
            </Alert>
          ) : null}
          {me.data?.user.email ? <input type="email" name="username" autoComplete="username" value={me.data.user.email} readOnly hidden /> : null}
          <div className="grid gap-2">
            <Label htmlFor="current-password">Current password</Label>
            <Input
              id="current-password"
              type="password"
              autoComplete="current-password"
              value={current}
              onChange={(e) => setCurrent(e.target.value)}
              required
            />
          </div>
          <div className="grid gap-2">
            <Label htmlFor="changed-password">New password</Label>
            <Input
              id="changed-password"
              type="password"
              autoComplete="new-password"
              minLength={PASSWORD_MIN_LENGTH}
              aria-describedby="changed-password-hint"
              value={next}
              onChange={(e) => setNext(e.target.value)}
              required
            />
            <p id="changed-password-hint" className="text-muted-foreground text-xs">
              At least {PASSWORD_MIN_LENGTH} characters. A long phrase is best; common passwords are refused.
            </p>
          </div>
          <div>
            <Button type="submit" disabled={busy || lockout !== null}>
              {busy ? 'Changing…' : 'Change password'}
            </Button>
          </div>
        </form>
      </CardContent>
    </Card>
  );
}
