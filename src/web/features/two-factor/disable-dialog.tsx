import { ShieldOffIcon } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import { ErrorAlert, LockoutAlert } from '../../components/error-alert';
import { useWithFreshSession } from '../../components/reauth-provider';
import {
  AlertDialog,
  AlertDialogCancel,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogFooter,
  AlertDialogHeader,
  AlertDialogTitle,
  AlertDialogTrigger,
} from '../../components/ui/alert-dialog';
import { Button } from '../../components/ui/button';
import { useFormSubmit } from '../../hooks/use-form-submit';
import { api } from '../../lib/api';
import { FactorInput, factorOf, factorReady, type FactorMode } from './factor-input';

/** Turning 2FA off is destructive: an alert dialog that needs a current code or a backup code. */
export function DisableTwoFactorDialog({ onDisabled }: { onDisabled: () => void }) {
  const [open, setOpen] = useState(false);
  const [mode, setMode] = useState<FactorMode>('totp');
  const [code, setCode] = useState('');
  const [backupCode, setBackupCode] = useState('');
  const { busy, error, setError, lockout, secondsLeft, run, reset: resetSubmit } = useFormSubmit();
  const withFreshSession = useWithFreshSession();

  const reset = () => {
    setMode('totp');
    setCode('');
    setBackupCode('');
    resetSubmit();
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const factor = factorOf(mode, code, backupCode);
    const outcome = await run(() => withFreshSession(() => api.disableTwoFactor(factor)));
    if (outcome.ok) {
      setOpen(false);
      reset();
      onDisabled();
      return;
    }
    setCode('');
    setBackupCode('');
  };

  return (
    <AlertDialog
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (!next) reset();
      }}
    >
      <AlertDialogTrigger asChild>
        <Button variant="outline" className="text-destructive hover:text-destructive">
          <ShieldOffIcon aria-hidden="true" />
          Turn off two-factor
        </Button>
      </AlertDialogTrigger>
      <AlertDialogContent>
        <form method="post" onSubmit={submit} className="grid gap-4" noValidate>
          <AlertDialogHeader>
            <AlertDialogTitle>Turn off two-factor authentication?</AlertDialogTitle>
            <AlertDialogDescription>
              Your password alone will then sign in to this account, your backup codes stop working, and your other sessions are signed out.
            </AlertDialogDescription>
          </AlertDialogHeader>
          {lockout ? <LockoutAlert lockout={lockout} secondsLeft={secondsLeft} /> : <ErrorAlert error={error} title="Not turned off" />}
          <FactorInput
            idPrefix="disable"
            mode={mode}
            onModeChange={(next) => {
              setError(null);
              setMode(next);
            }}
            code={code}
            onCodeChange={setCode}
            backupCode={backupCode}
            onBackupCodeChange={setBackupCode}
            locked={lockout !== null}
          />
          <AlertDialogFooter>
            <AlertDialogCancel type="button">Keep it on</AlertDialogCancel>
            <Button type="submit" variant="destructive" disabled={busy || lockout !== null || !factorReady(mode, code, backupCode)}>
              {busy ? 'Turning off…' : 'Turn off'}
            </Button>
          </AlertDialogFooter>
        </form>
      </AlertDialogContent>
    </AlertDialog>
  );
}
