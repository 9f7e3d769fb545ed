import { ExternalLinkIcon } from 'lucide-react';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { CodeField } from '../../components/code-field';
import { CopyButton } from '../../components/copy-button';
import { ErrorAlert, LockoutAlert } from '../../components/error-alert';
import { useWithFreshSession } from '../../components/reauth-provider';
import { Button } from '../../components/ui/button';
import { useFormSubmit } from '../../hooks/use-form-submit';
import { api } from '../../lib/api';
import type { TwoFactorSetup } from '../../lib/api-types';
import { groupInFours } from '../../lib/format';

/**
 * Step 2 of setup: add the key to an authenticator app, then prove it works with one code.
 * A phone cannot scan its own screen, so narrow screens lead with an otpauth:// link that opens
 * the app and with the key to type; wide screens lead with the QR code (CSS order, one DOM).
 */
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
  const { busy, error, lockout, secondsLeft, run } = useFormSubmit();
  const withFreshSession = useWithFreshSession();
  const headingRef = useRef<HTMLHeadingElement>(null);

  // Focus follows the person into the new step (it used to stay on <body>, ten Tabs from the field).
  useEffect(() => {
    headingRef.current?.focus();
  }, []);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const outcome = await run(() => withFreshSession(() => api.confirmTwoFactor(code)));
    if (outcome.ok) return onEnabled(outcome.value.backup_codes);
    setCode('');
  };

  return (
    <div className="grid gap-6" data-testid="setup-panel">
      <h3 ref={headingRef} tabIndex={-1} className="text-base font-semibold outline-none">
        Add Proofgate to your authenticator app
      </h3>
      <ol className="grid gap-6 md:grid-cols-[auto_1fr] md:gap-8">
        <li className="order-2 hidden justify-items-center gap-3 sm:grid md:order-1 md:justify-items-start">
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
        <li className="order-1 grid content-start gap-3 md:order-2">
          <div className="grid gap-2 sm:hidden">
            <p className="text-sm font-medium">1. Add the key to the authenticator app on this phone</p>
            <Button asChild className="w-full">
              {/* The URL carries the secret, but only in its href: nothing of it is on screen to mask. */}
              <a href={setup.otpauth_url} data-testid="otpauth-link">
                <ExternalLinkIcon aria-hidden="true" />
                Open in authenticator app
              </a>
            </Button>
          </div>
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
      <form method="post" onSubmit={submit} className="grid gap-4 border-t pt-5" noValidate>
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
