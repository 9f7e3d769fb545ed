import { RefreshCwIcon } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import { ErrorAlert, LockoutAlert } from '../../components/error-alert';
import { useWithFreshSession } from '../../components/reauth-provider';
import { Button } from '../../components/ui/button';
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle, DialogTrigger } from '../../components/ui/dialog';
import { useFormSubmit } from '../../hooks/use-form-submit';
import { api } from '../../lib/api';
import { FactorInput, factorOf, factorReady, type FactorMode } from './factor-input';

/** New backup codes replace all old ones; needs a current authenticator code or one backup code (and a fresh session). */
export function RegenerateBackupCodesDialog({ onRegenerated }: { onRegenerated: (codes: string[]) => void }) {
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
    const outcome = await run(() => withFreshSession(() => api.regenerateBackupCodes(factor)));
    if (outcome.ok) {
      setOpen(false);
      reset();
      onRegenerated(outcome.value.backup_codes);
      return;
    }
    setCode('');
    setBackupCode('');
  };

  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (!next) reset();
      }}
    >
      <DialogTrigger asChild>
        <Button variant="outline">
          <RefreshCwIcon aria-hidden="true" />
          New backup codes
        </Button>
      </DialogTrigger>
      <DialogContent>
        <form method="post" onSubmit={submit} className="grid gap-4" noValidate>
          <DialogHeader>
            <DialogTitle>Generate new backup codes</DialogTitle>
            <DialogDescription>All your current backup codes stop working. You will see the new ones once.</DialogDescription>
          </DialogHeader>
          {lockout ? <LockoutAlert lockout={lockout} secondsLeft={secondsLeft} /> : <ErrorAlert error={error} title="No new codes" />}
          <FactorInput
            idPrefix="regenerate"
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
          <DialogFooter>
            <Button type="button" variant="outline" onClick={() => setOpen(false)}>
              Cancel
            </Button>
            <Button type="submit" disabled={busy || lockout !== null || !factorReady(mode, code, backupCode)}>
              {busy ? 'Generating…' : 'Generate new codes'}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
