import { useRef } from 'react';
import { useBlocker } from 'react-router-dom';
import {
  AlertDialog,
  AlertDialogCancel,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogFooter,
  AlertDialogHeader,
  AlertDialogTitle,
} from '../../components/ui/alert-dialog';
import { Button } from '../../components/ui/button';

/**
 * While `active`, moving to another page of the app asks first (reloads and closing the tab are
 * the beforeunload prompt's job). Sign-out has its own question, so /sign-in is let through.
 */
export function LeaveGuard({ active }: { active: boolean }) {
  // What had focus when the navigation was stopped (the link): it gets focus back on "stay".
  const returnFocusRef = useRef<HTMLElement | null>(null);
  const blocker = useBlocker(({ currentLocation, nextLocation }) => {
    const block = active && nextLocation.pathname !== '/sign-in' && nextLocation !== currentLocation;
    if (block) returnFocusRef.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    return block;
  });
  const blocked = blocker.state === 'blocked';
  return (
    <AlertDialog
      open={blocked}
      onOpenChange={(open) => {
        if (!open && blocker.state === 'blocked') blocker.reset();
      }}
    >
      <AlertDialogContent
        onCloseAutoFocus={(event) => {
          event.preventDefault();
          if (returnFocusRef.current?.isConnected) returnFocusRef.current.focus();
        }}
      >
        <AlertDialogHeader>
          <AlertDialogTitle>Leave without saving your backup codes?</AlertDialogTitle>
          <AlertDialogDescription>They will not be shown again: copy, download or print them first, then tick that you saved them.</AlertDialogDescription>
        </AlertDialogHeader>
        <AlertDialogFooter>
          <AlertDialogCancel type="button">Stay and save them</AlertDialogCancel>
          <Button type="button" variant="destructive" onClick={() => blocker.proceed?.()}>
            Leave anyway
          </Button>
        </AlertDialogFooter>
      </AlertDialogContent>
    </AlertDialog>
  );
}
