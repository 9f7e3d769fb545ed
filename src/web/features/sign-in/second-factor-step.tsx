import { KeyRoundIcon, SmartphoneIcon } from 'lucide-react';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { BackupCodeField, CodeField } from '../../components/code-field';
import { ErrorAlert, LockoutAlert } from '../../components/error-alert';
import { Button } from '../../components/ui/button';
import { Card, CardContent, CardDescription, CardHeader } from '../../components/ui/card';
import { useFormSubmit } from '../../hooks/use-form-submit';
import { PasskeySignInButton } from '../passkeys/passkey-sign-in';
import { RememberBrowserField } from '../sessions/remember-browser-field';
import { api, isApiError } from '../../lib/api';
import type { Me } from '../../lib/api-types';
import { factorOf, factorReady, type FactorMode } from '../two-factor/factor-input';

/** The second step's input: the temp token is held here, in memory, and nowhere else. */
export interface SecondStep {
  tempToken: string;
  email: string;
  /** The second factors the account has (totp, passkey, backup_code). */
  methods: string[];
  /** How long "Remember this browser" lasts; 0 when the server has it off. */
  rememberDays: number;
}

export const TEMP_TOKEN_CODES = new Set(['TEMP_TOKEN_EXPIRED', 'TEMP_TOKEN_INVALID']);

/** Why the password step is shown again: the API's refusal, or a sign-in attempt out of tries. */
export type RestartReason = unknown;

/** The refusal that used the last try of this sign-in attempt (not a lock): the token is now dead. */
function attemptUsedUp(failure: unknown): boolean {
  return isApiError(failure) && failure.attemptsRemaining === 0 && failure.lockedForSeconds === undefined;
}

const BACKUP_WRONG = 'That backup code is not correct. Check it against the list you saved: each code works once.';

export function SecondFactorStep({
  step,
  onSignedIn,
  onRestart,
}: {
  step: SecondStep;
  onSignedIn: (me: Me) => void;
  onRestart: (reason: RestartReason) => void;
}) {
  const [mode, setMode] = useState<FactorMode>('totp');
  const [code, setCode] = useState('');
  const [backupCode, setBackupCode] = useState('');
  const [remember, setRemember] = useState(false);
  const { busy, error, setError, lockout, secondsLeft, run } = useFormSubmit();
  const fieldRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    fieldRef.current?.focus();
  }, [mode]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (lockout) return;
    const factor = factorOf(mode, code, backupCode);
    const outcome = await run(() => api.verifySecondFactor(step.tempToken, factor, remember));
    if (outcome.ok) return onSignedIn(outcome.value);
    if ((isApiError(outcome.error) && TEMP_TOKEN_CODES.has(outcome.error.errorCode)) || attemptUsedUp(outcome.error)) {
      onRestart(outcome.error);
      return;
    }
    setCode('');
    setBackupCode('');
  };

  const switchMode = () => {
    setError(null);
    setMode(mode === 'totp' ? 'backup' : 'totp');
  };

  const ready = factorReady(mode, code, backupCode);
  const wrongBackup = mode === 'backup' && isApiError(error, 'INVALID_CODE');

  return (
    <Card>
      <CardHeader>
        <h1 className="text-2xl leading-tight font-semibold">Two-factor authentication</h1>
        <CardDescription>
          {mode === 'totp' ? (
            <>Enter the 6-digit code from your authenticator app for {step.email}.</>
          ) : (
            <>Enter one of the backup codes you saved when you turned on two-factor authentication. Each works once.</>
          )}
        </CardDescription>
      </CardHeader>
      <CardContent>
        <form method="post" onSubmit={submit} className="grid gap-4" noValidate>
          {lockout ? (
            <LockoutAlert lockout={lockout} secondsLeft={secondsLeft} />
          ) : (
            <ErrorAlert
              error={error}
              title={mode === 'totp' ? 'Code not accepted' : 'Backup code not accepted'}
              message={wrongBackup ? BACKUP_WRONG : undefined}
            />
          )}
          {mode === 'totp' ? (
            <CodeField id="totp-code" value={code} onChange={setCode} ref={fieldRef} />
          ) : (
            <BackupCodeField id="backup-code" value={backupCode} onChange={setBackupCode} ref={fieldRef} />
          )}
          <RememberBrowserField days={step.rememberDays} checked={remember} onChange={setRemember} />
          <Button type="submit" disabled={busy || lockout !== null || !ready} className="w-full">
            {busy ? 'Checking…' : 'Verify'}
          </Button>
          {step.methods.includes('passkey') ? (
            <PasskeySignInButton
              tempToken={step.tempToken}
              label="Use a passkey"
              onSignedIn={onSignedIn}
              onStart={() => setError(null)}
              // Through run(), so a lockout answer shows as the lockout, as for a code.
              onError={(failure) => {
                if (isApiError(failure) && TEMP_TOKEN_CODES.has(failure.errorCode)) onRestart(failure);
                else void run(() => Promise.reject(failure));
              }}
              disabled={lockout !== null}
            />
          ) : null}
          {/* While locked, backup codes are refused too: offering them would only waste the wait. */}
          {lockout ? null : (
            <Button type="button" variant="link" onClick={switchMode} className="h-auto justify-start px-0 has-[>svg]:px-0">
              {mode === 'totp' ? <KeyRoundIcon aria-hidden="true" /> : <SmartphoneIcon aria-hidden="true" />}
              {mode === 'totp' ? 'Use a backup code instead' : 'Use your authenticator app instead'}
            </Button>
          )}
          <Button type="button" variant="ghost" onClick={() => onRestart(null)} className="h-auto justify-start px-0 text-muted-foreground">
            Cancel and sign in again
          </Button>
        </form>
      </CardContent>
    </Card>
  );
}
