import { FingerprintIcon } from 'lucide-react';
import { useState } from 'react';
import { Button } from '../../components/ui/button';
import type { Me } from '../../lib/api-types';
import { passkeyApi } from './passkey-api';

/**
 * One button that runs a passkey sign-in: with `tempToken` the second step after the password,
 * without it a passwordless sign-in with a discoverable passkey. Failures go to `onError`, so
 * the step around it shows them (and its lockout) the way it shows a refused code.
 */
export function PasskeySignInButton({
  tempToken,
  label,
  onSignedIn,
  onError,
  onStart,
  disabled = false,
}: {
  tempToken?: string;
  label: string;
  onSignedIn: (me: Me) => void;
  onError: (error: unknown) => void;
  onStart?: () => void;
  disabled?: boolean;
}) {
  const [busy, setBusy] = useState(false);
  const start = async () => {
    setBusy(true);
    onStart?.();
    try {
      const result = await passkeyApi.signIn(tempToken);
      onSignedIn({ user: result.user, session: result.session });
    } catch (failure) {
      setBusy(false);
      onError(failure);
    }
  };
  return (
    <Button type="button" variant="outline" className="w-full" onClick={() => void start()} disabled={busy || disabled}>
      <FingerprintIcon aria-hidden="true" />
      {busy ? 'Waiting for your passkey…' : label}
    </Button>
  );
}
