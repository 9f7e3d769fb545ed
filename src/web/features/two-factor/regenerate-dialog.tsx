import { RefreshCwIcon } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import { CodeField } from '../../components/code-field';
import { ErrorAlert, LockoutAlert } from '../../components/error-alert';
import { ReauthCancelledError, useWithFreshSession } from '../../components/reauth-provider';
import { Button } from '../../components/ui/button';
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle, DialogTrigger } from '../../components/ui/dialog';
import { useLockout } from '../../hooks/use-lockout';
import { api } from '../../lib/api';

/** New backup codes replace all old ones; needs a current authenticator code (and a fresh session). */
export function RegenerateBackupCodesDialog({ onRegenerated }: { onRegenerated: (codes: string[]) => void }) {
  const [open, setOpen] = useState(false);
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const { lockout, secondsLeft, capture, clear } = useLockout();
  const withFreshSession = useWithFreshSession();

  const reset = () => {
    setCode('');
    setError(null);
    setBusy(false);
    clear();
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const result = await withFreshSession(() => api.regenerateBackupCodes(code));
      setOpen(false);
      reset();
      onRegenerated(result.backup_codes);
    } catch (failure) {
      setBusy(false);
      setCode('');
      if (failure instanceof ReauthCancelledError) return;
      if (!capture(failure)) setError(failure);
    }
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
        <form method="post" onSubmit={submit} className="grid gap-4">
          <DialogHeader>
            <DialogTitle>Generate new backup codes</DialogTitle>
            <DialogDescription>All your current backup codes stop working. You will see the new ones once.</DialogDescription>
          </DialogHeader>
          {lockout ? <LockoutAlert lockout={lockout} secondsLeft={secondsLeft} /> : <ErrorAlert error={error} title="No new codes" />}
          <CodeField id="regenerate-code" label="Code from your authenticator app" value={code} onChange={setCode} autoFocus />
          <DialogFooter>
            <Button type="button" variant="outline" onClick={() => setOpen(false)}>
              Cancel
            </Button>
            <Button type="submit" disabled={busy || lockout !== null || !/^\d{6}$/.test(code)}>
              {busy ? 'Generating…' : 'Generate new codes'}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
