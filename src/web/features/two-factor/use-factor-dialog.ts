import { useRef, useState, type FormEvent } from 'react';
import { useWithFreshSession } from '../../components/reauth-provider';
import { useFormSubmit } from '../../hooks/use-form-submit';
import type { SecondFactor } from '../../lib/api-types';
import { factorOf, factorReady, type FactorMode } from './factor-input';

export type FactorDialog = ReturnType<typeof useFactorDialog>;

/**
 * The state of a dialog that confirms a 2FA change with a second factor (turning 2FA off, new
 * backup codes): open or closed, which factor is typed, the submit with a fresh session. Closing
 * forgets what was typed; a refused factor is cleared so the next try starts empty.
 *
 * A dialog closed by its own success does not give focus back to its trigger: the caller moves
 * focus to what the change produced (a notice, new codes). Left to the dialog, focus would go
 * back to the trigger once the close animation ends, after the caller's focus, whenever the
 * trigger is still on screen by then (it goes once the refreshed status arrives).
 */
export function useFactorDialog<T>(send: (factor: SecondFactor) => Promise<T>, onDone: (value: T) => void) {
  const [open, setOpen] = useState(false);
  const [mode, setMode] = useState<FactorMode>('totp');
  const [code, setCode] = useState('');
  const [backupCode, setBackupCode] = useState('');
  const { busy, error, setError, lockout, secondsLeft, run, reset: resetSubmit } = useFormSubmit();
  const withFreshSession = useWithFreshSession();
  const closedBySuccess = useRef(false);

  const reset = () => {
    setMode('totp');
    setCode('');
    setBackupCode('');
    resetSubmit();
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const factor = factorOf(mode, code, backupCode);
    const outcome = await run(() => withFreshSession(() => send(factor)));
    if (outcome.ok) {
      closedBySuccess.current = true;
      setOpen(false);
      reset();
      onDone(outcome.value);
      return;
    }
    setCode('');
    setBackupCode('');
  };

  const onOpenChange = (next: boolean) => {
    setOpen(next);
    if (!next) reset();
  };

  // For the dialog content's onCloseAutoFocus: keep the focus the caller gave after a success.
  const onCloseAutoFocus = (event: Event) => {
    if (closedBySuccess.current) event.preventDefault();
    closedBySuccess.current = false;
  };

  const changeMode = (next: FactorMode) => {
    setError(null);
    setMode(next);
  };

  return {
    open,
    onOpenChange,
    close: () => setOpen(false),
    onCloseAutoFocus,
    submit,
    busy,
    canSubmit: !busy && lockout === null && factorReady(mode, code, backupCode),
    error,
    lockout,
    secondsLeft,
    field: { mode, onModeChange: changeMode, code, onCodeChange: setCode, backupCode, onBackupCodeChange: setBackupCode, locked: lockout !== null },
  };
}
