import { useQueryClient } from '@tanstack/react-query';
import { CheckCircle2Icon, KeyRoundIcon } from 'lucide-react';
import { useRef, useState, type FormEvent } from 'react';
import { ErrorAlert, LockoutAlert } from '../../components/error-alert';
import { Alert, AlertDescription } from '../../components/ui/alert';
import { Button } from '../../components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '../../components/ui/card';
import { PasswordField } from '../../components/password-field';
import { useFormSubmit } from '../../hooks/use-form-submit';
import { useMe } from '../../hooks/use-me';
import { api } from '../../lib/api';
import { passwordProblem } from '../../lib/validate';
import { securityEventsKey } from '../two-factor/two-factor-card';

/** Settings → Security: change the password; every other session is signed out by the API. */
export function ChangePasswordCard() {
  const me = useMe();
  const queryClient = useQueryClient();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [done, setDone] = useState<number | null>(null);
  const [fieldErrors, setFieldErrors] = useState<{ current: string | null; next: string | null }>({ current: null, next: null });
  const { busy, error, lockout, secondsLeft, run } = useFormSubmit();
  const currentRef = useRef<HTMLInputElement>(null);
  const nextRef = useRef<HTMLInputElement>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const problems = { current: passwordProblem(current, 'current'), next: passwordProblem(next, 'new') };
    setFieldErrors(problems);
    if (problems.current) return currentRef.current?.focus();
    if (problems.next) return nextRef.current?.focus();
    setDone(null);
    const outcome = await run(() => api.changePassword(current, next));
    if (!outcome.ok) return;
    setCurrent('');
    setNext('');
    setDone(outcome.value.sessions_revoked);
    await queryClient.invalidateQueries({ queryKey: securityEventsKey });
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
        <form method="post" onSubmit={submit} className="grid gap-4 md:max-w-md" aria-label="Change password" noValidate>
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
          <PasswordField
            ref={currentRef}
            id="current-password"
            label="Current password"
            kind="current"
            value={current}
            onChange={setCurrent}
            error={fieldErrors.current}
          />
          <PasswordField ref={nextRef} id="changed-password" label="New password" kind="new" value={next} onChange={setNext} error={fieldErrors.next} />
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
