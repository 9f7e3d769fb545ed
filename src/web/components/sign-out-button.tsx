import { useQueryClient } from '@tanstack/react-query';
import { LogOutIcon } from 'lucide-react';
import { useRef, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { api } from '../lib/api';
import { meQueryKey } from '../lib/query-client';
import { useUnsavedCodes } from '../lib/unsaved-codes';
import {
  AlertDialog,
  AlertDialogCancel,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogFooter,
  AlertDialogHeader,
  AlertDialogTitle,
} from './ui/alert-dialog';
import { Button } from './ui/button';

/** Sign out; while unsaved backup codes are on screen, it asks first (they are never shown again). */
export function SignOutButton() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const unsaved = useUnsavedCodes();
  const [signingOut, setSigningOut] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const buttonRef = useRef<HTMLButtonElement>(null);

  const signOut = async () => {
    setSigningOut(true);
    try {
      await api.logout();
    } finally {
      // Whatever the answer, forget everything this page knew about the account.
      queryClient.clear();
      queryClient.setQueryData(meQueryKey, null);
      setSigningOut(false);
      navigate('/sign-in', { replace: true, state: { notice: 'You are signed out.' } });
    }
  };

  return (
    <>
      <Button ref={buttonRef} variant="outline" size="sm" onClick={() => (unsaved ? setConfirming(true) : void signOut())} disabled={signingOut}>
        <LogOutIcon aria-hidden="true" />
        Sign out
      </Button>
      <AlertDialog open={confirming} onOpenChange={setConfirming}>
        <AlertDialogContent
          onCloseAutoFocus={(event) => {
            // Opened from state, not from a Trigger: give focus back to the button by hand.
            event.preventDefault();
            buttonRef.current?.focus();
          }}
        >
          <AlertDialogHeader>
            <AlertDialogTitle>Sign out without saving your backup codes?</AlertDialogTitle>
            <AlertDialogDescription>
              Your new backup codes are on screen and not marked as saved. They will not be shown again: copy, download or print them
              first.
            </AlertDialogDescription>
          </AlertDialogHeader>
          <AlertDialogFooter>
            <AlertDialogCancel type="button">Stay and save them</AlertDialogCancel>
            <Button
              type="button"
              variant="destructive"
              onClick={() => {
                setConfirming(false);
                void signOut();
              }}
            >
              Sign out anyway
            </Button>
          </AlertDialogFooter>
        </AlertDialogContent>
      </AlertDialog>
    </>
  );
}
