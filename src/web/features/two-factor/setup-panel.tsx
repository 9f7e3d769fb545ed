import { useState, type FormEvent } from 'react';
import { CodeField } from '../../components/code-field';
import { CopyButton } from '../../components/copy-button';
import { ErrorAlert, LockoutAlert } from '../../components/error-alert';
import { useWithFreshSession, ReauthCancelledError } from '../../components/reauth-provider';
import { Button } from '../../components/ui/button';
import { useLockout } from '../../hooks/use-lockout';
import { api } from '../../lib/api';
import type { TwoFactorSetup } from '../../lib/api-types';
import { groupInFours } from '../../lib/format';

/** Step 2 of setup: scan (or type) the key, then prove it works with one code. */
export function SetupPanel({
  setup,
  onEnabled,
  onCancel,
}: {
  setup: TwoFactorSetup;
  onEnabled: (backupCodes: string[]) => void;
  onCancel: () => void;
}) {
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const { lockout, secondsLeft, capture } = useLockout();
  const withFreshSession = useWithFreshSession();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const result = await withFreshSession(() => api.confirmTwoFactor(code));
      onEnabled(result.backup_codes);
    } catch (failure) {
      setBusy(false);
      setCode('');
      if (failure instanceof ReauthCancelledError) return;
      if (!capture(failure)) setError(failure);
    }
  };

  return (
    <div className="grid gap-6">
      <ol className="grid gap-6 md:grid-cols-[auto_1fr] md:gap-8">
        <li className="grid justify-items-center gap-3 md:justify-items-start">
          <p className="text-sm font-medium">1. Scan this QR code with your authenticator app</p>
          <img
            src={setup.qr_data_url}
            alt={`QR code that adds ${setup.issuer} (${setup.account}) to an authenticator app`}
            width={200}
            height={200}
            className="size-[200px] rounded-lg border bg-white p-2 [image-rendering:pixelated]"
            // Encodes the otpauth URL with the secret: the browser tests' screenshots mask it.
            data-sensitive="totp-qr"
          />
        </li>
        <li className="grid content-start gap-3">
          <p className="text-sm font-medium">Or enter this key by hand</p>
          <div className="flex flex-wrap items-center gap-2">
            <code
              className="rounded-md border bg-muted px-3 py-2 font-mono text-sm tracking-wider sm:text-base"
              data-testid="manual-key"
              data-sensitive="totp-key"
              aria-label="Setup key"
            >
              {groupInFours(setup.secret)}
            </code>
            <CopyButton text={setup.secret} label="Copy key" />
          </div>
          <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm text-muted-foreground">
            <dt>Account</dt>
            <dd className="break-all text-foreground">{setup.account}</dd>
            <dt>Issuer</dt>
            <dd className="text-foreground">{setup.issuer}</dd>
            <dt>Type</dt>
            <dd className="text-foreground">Time-based, 6 digits, every 30 seconds</dd>
          </dl>
        </li>
      </ol>
      <form method="post" onSubmit={submit} className="grid gap-4 border-t pt-5">
        <p className="text-sm font-medium">2. Enter the 6-digit code the app shows to finish</p>
        {lockout ? <LockoutAlert lockout={lockout} secondsLeft={secondsLeft} /> : <ErrorAlert error={error} title="Code not accepted" />}
        <CodeField id="setup-code" label="Code from your app" value={code} onChange={setCode} />
        <div className="flex flex-wrap gap-2">
          <Button type="submit" disabled={busy || lockout !== null || !/^\d{6}$/.test(code)}>
            {busy ? 'Checking…' : 'Turn on two-factor'}
          </Button>
          <Button type="button" variant="outline" onClick={onCancel}>
            Cancel
          </Button>
        </div>
      </form>
    </div>
  );
}
