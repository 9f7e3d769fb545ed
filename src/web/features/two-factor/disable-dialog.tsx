import { ShieldOffIcon } from 'lucide-react';
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
import { api } from '../../lib/api';
import { FactorDialogBody } from './factor-dialog-body';
import { useFactorDialog } from './use-factor-dialog';

/** Turning 2FA off is destructive: an alert dialog that needs a current code or a backup code. */
export function DisableTwoFactorDialog({ onDisabled }: { onDisabled: () => void }) {
  const dialog = useFactorDialog((factor) => api.disableTwoFactor(factor), () => onDisabled());

  return (
    <AlertDialog open={dialog.open} onOpenChange={dialog.onOpenChange}>
      <AlertDialogTrigger asChild>
        <Button variant="outline" className="text-destructive hover:text-destructive">
          <ShieldOffIcon aria-hidden="true" />
          Turn off two-factor
        </Button>
      </AlertDialogTrigger>
      <AlertDialogContent onCloseAutoFocus={dialog.onCloseAutoFocus}>
        <form method="post" onSubmit={dialog.submit} className="grid gap-4" noValidate>
          <AlertDialogHeader>
            <AlertDialogTitle>Turn off two-factor authentication?</AlertDialogTitle>
            <AlertDialogDescription>
              Your password alone will then sign in to this account, your backup codes stop working, and your other sessions are signed out.
            </AlertDialogDescription>
          </AlertDialogHeader>
          <FactorDialogBody dialog={dialog} idPrefix="disable" errorTitle="Not turned off" />
          <AlertDialogFooter>
            <AlertDialogCancel type="button">Keep it on</AlertDialogCancel>
            <Button type="submit" variant="destructive" disabled={!dialog.canSubmit}>
              {dialog.busy ? 'Turning off…' : 'Turn off'}
            </Button>
          </AlertDialogFooter>
        </form>
      </AlertDialogContent>
    </AlertDialog>
  );
}
