import { BackupCodeField, CodeField } from '../../components/code-field';
import { Button } from '../../components/ui/button';
import type { SecondFactor } from '../../lib/api-types';

export type FactorMode = 'totp' | 'backup';

/** What a second-factor form sends (the dialogs, the sign-in step): a TOTP code or a backup code, from whichever field is shown. */
export function factorOf(mode: FactorMode, code: string, backupCode: string): SecondFactor {
  return mode === 'totp' ? { code } : { backup_code: backupCode };
}

export function factorReady(mode: FactorMode, code: string, backupCode: string): boolean {
  return mode === 'totp' ? /^\d{6}$/.test(code) : backupCode.trim().length > 0;
}

/**
 * A code from the authenticator app, or, for someone without it, one backup code: the field and
 * the switch between them (the disable and regenerate dialogs). The switch is hidden while
 * locked, because backup codes are refused then too.
 */
export function FactorInput({
  idPrefix,
  mode,
  onModeChange,
  code,
  onCodeChange,
  backupCode,
  onBackupCodeChange,
  locked,
}: {
  idPrefix: string;
  mode: FactorMode;
  onModeChange: (mode: FactorMode) => void;
  code: string;
  onCodeChange: (value: string) => void;
  backupCode: string;
  onBackupCodeChange: (value: string) => void;
  locked: boolean;
}) {
  return (
    <>
      {mode === 'totp' ? (
        <CodeField id={`${idPrefix}-code`} label="Code from your authenticator app" value={code} onChange={onCodeChange} autoFocus />
      ) : (
        <BackupCodeField id={`${idPrefix}-backup-code`} value={backupCode} onChange={onBackupCodeChange} autoFocus />
      )}
      {locked ? null : (
        <Button type="button" variant="link" className="h-auto justify-start px-0 has-[>svg]:px-0" onClick={() => onModeChange(mode === 'totp' ? 'backup' : 'totp')}>
          {mode === 'totp' ? 'Use a backup code instead' : 'Use your authenticator app instead'}
        </Button>
      )}
    </>
  );
}
