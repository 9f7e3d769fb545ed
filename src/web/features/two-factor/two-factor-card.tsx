import { useQuery, useQueryClient } from '@tanstack/react-query';
import { CheckCircle2Icon, ShieldCheckIcon, ShieldIcon } from 'lucide-react';
import { useEffect, useRef, useState } from 'react';
import { ErrorAlert, LockoutAlert } from '../../components/error-alert';
import { ReauthCancelledError, useWithFreshSession } from '../../components/reauth-provider';
import { Alert, AlertDescription } from '../../components/ui/alert';
import { Badge } from '../../components/ui/badge';
import { Button } from '../../components/ui/button';
import { Card, CardContent, CardDescription, CardFooter, CardHeader, CardTitle } from '../../components/ui/card';
import { useLockout } from '../../hooks/use-lockout';
import { useMe } from '../../hooks/use-me';
import { api } from '../../lib/api';
import type { TwoFactorSetup, TwoFactorStatus } from '../../lib/api-types';
import { formatDateTime } from '../../lib/format';
import { meQueryKey } from '../../lib/query-client';
import { BackupCodesOnce } from './backup-codes-once';
import { DisableTwoFactorDialog } from './disable-dialog';
import { RegenerateBackupCodesDialog } from './regenerate-dialog';
import { SetupPanel } from './setup-panel';

export const twoFactorStatusKey = ['2fa-status'] as const;
export const securityEventsKey = ['security-events'] as const;

const LOW_BACKUP_CODES = 3;

/** What the card shows: the status, the setup in progress, or freshly issued backup codes (once). */
type View =
  | { kind: 'status'; notice?: string }
  | { kind: 'setup'; setup: TwoFactorSetup }
  | { kind: 'codes'; codes: string[]; heading: string };

export function TwoFactorCard() {
  const queryClient = useQueryClient();
  const me = useMe();
  const status = useQuery({ queryKey: twoFactorStatusKey, queryFn: api.twoFactorStatus });
  const [view, setView] = useState<View>({ kind: 'status' });
  const [starting, setStarting] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const { lockout, secondsLeft, capture } = useLockout();
  const withFreshSession = useWithFreshSession();
  const noticeRef = useRef<HTMLDivElement>(null);
  const setupButtonRef = useRef<HTMLButtonElement>(null);
  // Set when the setup is cancelled: focus goes back to the button that opened it.
  const returnFocusToSetup = useRef(false);
  const notice = view.kind === 'status' ? view.notice : undefined;

  useEffect(() => {
    if (notice) noticeRef.current?.focus();
  }, [notice]);
  useEffect(() => {
    if (!returnFocusToSetup.current || !setupButtonRef.current) return;
    returnFocusToSetup.current = false;
    setupButtonRef.current.focus();
  });

  // Every change rotates the session and writes security events: refresh what depends on them.
  const refreshAfterChange = () => {
    void queryClient.invalidateQueries({ queryKey: twoFactorStatusKey });
    void queryClient.invalidateQueries({ queryKey: securityEventsKey });
    void queryClient.invalidateQueries({ queryKey: meQueryKey });
  };

  const startSetup = async () => {
    setStarting(true);
    setError(null);
    try {
      const setup = await withFreshSession(() => api.startTwoFactorSetup());
      setView({ kind: 'setup', setup });
    } catch (failure) {
      if (!(failure instanceof ReauthCancelledError) && !capture(failure)) setError(failure);
    } finally {
      setStarting(false);
      void queryClient.invalidateQueries({ queryKey: securityEventsKey });
    }
  };

  const account = me.data?.user.email ?? '';

  return (
    <Card aria-labelledby="two-factor-title">
      <CardHeader>
        <div className="flex flex-wrap items-center justify-between gap-2">
          <CardTitle id="two-factor-title" className="flex items-center gap-2">
            <ShieldCheckIcon className="size-5" aria-hidden="true" />
            Two-factor authentication
          </CardTitle>
          {status.data ? <StatusBadge status={status.data} /> : null}
        </div>
        <CardDescription>
          A code from an authenticator app on your phone, asked after your password, so a stolen password alone cannot sign in.
        </CardDescription>
      </CardHeader>
      <CardContent className="grid gap-4">
        {notice ? (
          <Alert ref={noticeRef} variant="success" role="status" tabIndex={-1}>
            <CheckCircle2Icon aria-hidden="true" />
            <AlertDescription className="text-foreground">{notice}</AlertDescription>
          </Alert>
        ) : null}
        {lockout ? <LockoutAlert lockout={lockout} secondsLeft={secondsLeft} /> : <ErrorAlert error={error ?? status.error} />}
        {view.kind === 'setup' ? (
          <SetupPanel
            setup={view.setup}
            onEnabled={(codes) => {
              refreshAfterChange();
              setView({ kind: 'codes', codes, heading: 'Two-factor authentication is on. Here are your backup codes.' });
            }}
            onCancel={() => {
              returnFocusToSetup.current = true;
              setView({ kind: 'status' });
              void queryClient.invalidateQueries({ queryKey: twoFactorStatusKey });
            }}
          />
        ) : view.kind === 'codes' ? (
          <BackupCodesOnce
            codes={view.codes}
            account={account}
            heading={view.heading}
            onDone={() => setView({ kind: 'status', notice: 'Backup codes saved. They will not be shown again.' })}
          />
        ) : status.data ? (
          <StatusDetails status={status.data} />
        ) : status.isPending ? (
          <p className="text-sm text-muted-foreground">Loading…</p>
        ) : null}
      </CardContent>
      {view.kind === 'status' && status.data ? (
        <CardFooter>
          {status.data.enabled ? (
            <>
              <RegenerateBackupCodesDialog
                onRegenerated={(codes) => {
                  refreshAfterChange();
                  setView({ kind: 'codes', codes, heading: 'Your new backup codes. The old ones no longer work.' });
                }}
              />
              <DisableTwoFactorDialog
                onDisabled={() => {
                  refreshAfterChange();
                  setView({ kind: 'status', notice: 'Two-factor authentication is now off. Your password alone signs in to this account.' });
                }}
              />
            </>
          ) : (
            <Button ref={setupButtonRef} onClick={startSetup} disabled={starting || lockout !== null}>
              <ShieldIcon aria-hidden="true" />
              {starting ? 'Starting…' : status.data.pending_setup ? 'Restart setup' : 'Set up two-factor'}
            </Button>
          )}
        </CardFooter>
      ) : null}
    </Card>
  );
}

function StatusBadge({ status }: { status: TwoFactorStatus }) {
  return status.enabled ? (
    <Badge variant="success" data-testid="two-factor-state">
      On
    </Badge>
  ) : (
    <Badge variant="secondary" data-testid="two-factor-state">
      Off
    </Badge>
  );
}

function StatusDetails({ status }: { status: TwoFactorStatus }) {
  if (!status.enabled) {
    return (
      <p className="text-sm text-muted-foreground">
        {status.pending_setup
          ? 'A setup was started but not finished. Restart it to get a new key.'
          : 'Two-factor authentication is off. Turn it on with any authenticator app (1Password, Google Authenticator, Authy, …).'}
      </p>
    );
  }
  const low = status.backup_codes_remaining <= LOW_BACKUP_CODES;
  return (
    <dl className="grid gap-x-6 gap-y-3 text-sm sm:grid-cols-3" data-testid="two-factor-status">
      <div className="grid gap-0.5">
        <dt className="text-muted-foreground">On since</dt>
        <dd className="font-medium">{formatDateTime(status.enabled_at)}</dd>
      </div>
      <div className="grid gap-0.5">
        <dt className="text-muted-foreground">Backup codes left</dt>
        <dd className="font-medium" data-testid="backup-codes-remaining">
          {status.backup_codes_remaining} of 10
          {low ? <span className="ml-2 text-warning">— generate new ones soon</span> : null}
        </dd>
      </div>
      <div className="grid gap-0.5">
        <dt className="text-muted-foreground">Last used</dt>
        <dd className="font-medium">{formatDateTime(status.last_used_at)}</dd>
      </div>
    </dl>
  );
}
