import { ShieldOffIcon } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import { BackupCodeField, CodeField } from '../../components/code-field';
import { ErrorAlert, LockoutAlert } from '../../components/error-alert';
import { ReauthCancelledError, useWithFreshSession } from '../../components/reauth-provider';
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
import { useLockout } from '../../hooks/use-lockout';
import { api } from '../../lib/api';
import type { SecondFactor } from '../../lib/api-types';

/** Turning 2FA off is destructive: an alert dialog that needs a current code or a backup code. */
export function DisableTwoFactorDialog({ onDisabled }: { onDisabled: () => void }) {
  const [open, setOpen] = useState(false);
  const [mode, setMode] = useState<'totp' | 'backup'>('totp');
  const [code, setCode] = useState('');
  const [backupCode, setBackupCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const { lockout, secondsLeft, capture, clear } = useLockout();
  const withFreshSession = useWithFreshSession();

  const reset = () => {
    setMode('totp');
    setCode('');
    setBackupCode('');
    setError(null);
    setBusy(false);
    clear();
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const factor: SecondFactor = mode === 'totp' ? { code } : { backup_code: backupCode };
    setBusy(true);
    setError(null);
    try {
      await withFreshSession(() => api.disableTwoFactor(factor));
      setOpen(false);
      reset();
      onDisabled();
    } catch (failure) {
      setBusy(false);
      if (failure instanceof ReauthCancelledError) return;
      setCode('');
      setBackupCode('');
      if (!capture(failure)) setError(failure);
    }
  };

  const ready = mode === 'totp' ? /^\d{6}$/.test(code) : backupCode.trim().length > 0;

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
        <form method="post" onSubmit={submit} className="grid gap-4">
          <AlertDialogHeader>
            <AlertDialogTitle>Turn off two-factor authentication?</AlertDialogTitle>
            <AlertDialogDescription>
              Your password alone will then sign in to this account, your backup codes stop working, and your other sessions are signed out.
            </AlertDialogDescription>
          </AlertDialogHeader>
          {lockout ? <LockoutAlert lockout={lockout} secondsLeft={secondsLeft} /> : <ErrorAlert error={error} title="Not turned off" />}
          {mode === 'totp' ? (
            <CodeField id="disable-code" label="Code from your authenticator app" value={code} onChange={setCode} autoFocus />
          ) : (
            <BackupCodeField id="disable-backup-code" value={backupCode} onChange={setBackupCode} autoFocus />
          )}
          <Button
            type="button"
            variant="link"
            className="h-auto justify-start px-0 has-[>svg]:px-0"
            onClick={() => {
              setError(null);
              setMode(mode === 'totp' ? 'backup' : 'totp');
            }}
          >
            {mode === 'totp' ? 'Use a backup code instead' : 'Use your authenticator app instead'}
          </Button>
          <AlertDialogFooter>
            <AlertDialogCancel type="button">Keep it on</AlertDialogCancel>
            <Button type="submit" variant="destructive" disabled={busy || lockout !== null || !ready}>
              {busy ? 'Turning off…' : 'Turn off'}
            </Button>
          </AlertDialogFooter>
        </form>
      </AlertDialogContent>
    </AlertDialog>
  );
}
