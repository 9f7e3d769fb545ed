import { useState, type FormEvent } from 'react';
import { useWithFreshSession } from '../../components/reauth-provider';
import { useFormSubmit } from '../../hooks/use-form-submit';
import type { SecondFactor } from '../../lib/api-types';
import { factorOf, factorReady, type FactorMode } from './factor-input';

export type FactorDialog = ReturnType<typeof useFactorDialog>;

/**
 * The state of a dialog that confirms a 2FA change with a second factor (turning 2FA off, new
 * backup codes): open or closed, which factor is typed, the submit with a fresh session. Closing
 * forgets what was typed; a refused factor is cleared so the next try starts empty.
 */
export function useFactorDialog<T>(send: (factor: SecondFactor) => Promise<T>, onDone: (value: T) => void) {
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
    const outcome = await run(() => withFreshSession(() => send(factor)));
    if (outcome.ok) {
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

  const changeMode = (next: FactorMode) => {
    setError(null);
    setMode(next);
  };

  return {
    open,
    onOpenChange,
    close: () => setOpen(false),
    submit,
    busy,
    canSubmit: !busy && lockout === null && factorReady(mode, code, backupCode),
    error,
    lockout,
    secondsLeft,
    field: { mode, onModeChange: changeMode, code, onCodeChange: setCode, backupCode, onBackupCodeChange: setBackupCode, locked: lockout !== null },
  };
}
