import { RefreshCwIcon } from 'lucide-react';
import { Button } from '../../components/ui/button';
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle, DialogTrigger } from '../../components/ui/dialog';
import { api } from '../../lib/api';
import { FactorDialogBody } from './factor-dialog-body';
import { useFactorDialog } from './use-factor-dialog';

/** New backup codes replace all old ones; needs a current authenticator code or one backup code (and a fresh session). */
export function RegenerateBackupCodesDialog({ onRegenerated }: { onRegenerated: (codes: string[]) => void }) {
  const dialog = useFactorDialog((factor) => api.regenerateBackupCodes(factor), (result) => onRegenerated(result.backup_codes));

  return (
    <Dialog open={dialog.open} onOpenChange={dialog.onOpenChange}>
      <DialogTrigger asChild>
        <Button variant="outline">
          <RefreshCwIcon aria-hidden="true" />
          New backup codes
        </Button>
      </DialogTrigger>
      <DialogContent onCloseAutoFocus={dialog.onCloseAutoFocus}>
        <form method="post" onSubmit={dialog.submit} className="grid gap-4" noValidate>
          <DialogHeader>
            <DialogTitle>Generate new backup codes</DialogTitle>
            <DialogDescription>All your current backup codes stop working. You will see the new ones once.</DialogDescription>
          </DialogHeader>
          <FactorDialogBody dialog={dialog} idPrefix="regenerate" errorTitle="No new codes" />
          <DialogFooter>
            <Button type="button" variant="outline" onClick={dialog.close}>
              Cancel
            </Button>
            <Button type="submit" disabled={!dialog.canSubmit}>
              {dialog.busy ? 'Generating…' : 'Generate new codes'}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
