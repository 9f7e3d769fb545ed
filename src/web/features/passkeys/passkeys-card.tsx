import { useQuery, useQueryClient } from '@tanstack/react-query';
import { CheckCircle2Icon, FingerprintIcon, PencilIcon, PlusIcon, Trash2Icon } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import { ErrorAlert } from '../../components/error-alert';
import { ReauthCancelledError, useWithFreshSession } from '../../components/reauth-provider';
import { Alert, AlertDescription } from '../../components/ui/alert';
import { Badge } from '../../components/ui/badge';
import { Button } from '../../components/ui/button';
import { Card, CardContent, CardDescription, CardFooter, CardHeader, CardTitle } from '../../components/ui/card';
import { Input } from '../../components/ui/input';
import { Label } from '../../components/ui/label';
import { useMe } from '../../hooks/use-me';
import { formatDateTime } from '../../lib/format';
import { meQueryKey } from '../../lib/query-client';
import { BackupCodesOnce } from '../two-factor/backup-codes-once';
import { securityEventsKey, twoFactorStatusKey } from '../two-factor/two-factor-card';
import { passkeyApi, type Passkey } from './passkey-api';

export const passkeysKey = ['passkeys'] as const;

/** Settings → Security → Passkeys: add (fresh session), rename, remove (fresh session), last used. */
export function PasskeysCard() {
  const queryClient = useQueryClient();
  const me = useMe();
  const list = useQuery({ queryKey: passkeysKey, queryFn: passkeyApi.list });
  const withFreshSession = useWithFreshSession();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);

  // Adding or removing a passkey rotates the session and may turn two-factor on or off.
  const refresh = () => {
    for (const queryKey of [passkeysKey, twoFactorStatusKey, securityEventsKey, meQueryKey]) void queryClient.invalidateQueries({ queryKey });
  };

  const run = async (action: () => Promise<string | null>) => {
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      setNotice(await action());
    } catch (failure) {
      if (!(failure instanceof ReauthCancelledError)) setError(failure);
    } finally {
      setBusy(false);
      refresh();
    }
  };

  const add = () =>
    run(async () => {
      const added = await withFreshSession(() => passkeyApi.add());
      if (added.backup_codes) setCodes(added.backup_codes);
      return `Passkey "${added.name}" added.`;
    });

  const remove = (passkey: Passkey) =>
    run(async () => {
      const removed = await withFreshSession(() => passkeyApi.remove(passkey.id));
      return removed.two_factor_enabled
        ? `Passkey "${passkey.name}" removed.`
        : `Passkey "${passkey.name}" removed. It was your last second factor: two-factor authentication is now off.`;
    });

  const rename = (passkey: Passkey, name: string) =>
    run(async () => {
      const renamed = await passkeyApi.rename(passkey.id, name);
      return `Renamed to "${renamed.name}".`;
    });

  const passkeys = list.data?.passkeys ?? [];

  return (
    <Card aria-labelledby="passkeys-title" data-testid="passkeys-card">
      <CardHeader>
        <div className="flex flex-wrap items-center justify-between gap-2">
          <CardTitle id="passkeys-title" className="flex items-center gap-2">
            <FingerprintIcon className="size-5" aria-hidden="true" />
            Passkeys
          </CardTitle>
          {list.data ? <Badge variant={passkeys.length > 0 ? 'success' : 'secondary'}>{passkeys.length > 0 ? `${passkeys.length} added` : 'None'}</Badge> : null}
        </div>
        <CardDescription>
          Sign in with your device&apos;s screen lock or a security key. A passkey only works on this site, so a look-alike page cannot use it.
        </CardDescription>
      </CardHeader>
      <CardContent className="grid gap-4">
        {notice ? (
          <Alert variant="success" role="status">
            <CheckCircle2Icon aria-hidden="true" />
            <AlertDescription className="text-foreground">{notice}</AlertDescription>
          </Alert>
        ) : null}
        <ErrorAlert error={error ?? list.error} />
        {codes ? (
          <BackupCodesOnce
            codes={codes}
            account={me.data?.user.email ?? ''}
            heading="Two-factor authentication is on. Here are your backup codes."
            onDone={() => setCodes(null)}
          />
        ) : passkeys.length > 0 ? (
          <ul className="grid gap-3" aria-label="Your passkeys">
            {passkeys.map((passkey) => (
              <PasskeyItem key={passkey.id} passkey={passkey} busy={busy} onRename={rename} onRemove={remove} />
            ))}
          </ul>
        ) : list.isPending ? (
          <p className="text-sm text-muted-foreground">Loading…</p>
        ) : (
          <p className="text-sm text-muted-foreground">No passkeys yet.</p>
        )}
      </CardContent>
      <CardFooter>
        <Button onClick={add} disabled={busy || codes !== null}>
          <PlusIcon aria-hidden="true" />
          {busy ? 'Working…' : 'Add a passkey'}
        </Button>
      </CardFooter>
    </Card>
  );
}

function PasskeyItem({
  passkey,
  busy,
  onRename,
  onRemove,
}: {
  passkey: Passkey;
  busy: boolean;
  onRename: (passkey: Passkey, name: string) => Promise<void>;
  onRemove: (passkey: Passkey) => Promise<void>;
}) {
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [name, setName] = useState(passkey.name);
  const inputId = `passkey-name-${passkey.id}`;

  const save = async (event: FormEvent) => {
    event.preventDefault();
    await onRename(passkey, name);
    setEditing(false);
  };

  return (
    <li className="grid gap-2 rounded-md border p-3" data-testid="passkey-item">
      {editing ? (
        <form onSubmit={save} className="flex flex-wrap items-end gap-2">
          <div className="grid gap-1">
            <Label htmlFor={inputId}>Name</Label>
            <Input id={inputId} value={name} maxLength={64} onChange={(e) => setName(e.target.value)} required />
          </div>
          <Button type="submit" disabled={busy || name.trim().length === 0}>
            Save
          </Button>
          <Button type="button" variant="ghost" onClick={() => setEditing(false)}>
            Cancel
          </Button>
        </form>
      ) : (
        <div className="flex flex-wrap items-center justify-between gap-2">
          <span className="font-medium" data-testid="passkey-name">
            {passkey.name}
          </span>
          <div className="flex gap-1">
            <Button type="button" variant="ghost" size="sm" onClick={() => setEditing(true)} disabled={busy} aria-label={`Rename ${passkey.name}`}>
              <PencilIcon aria-hidden="true" />
              Rename
            </Button>
            {confirming ? (
              <Button type="button" variant="destructive" size="sm" onClick={() => void onRemove(passkey)} disabled={busy}>
                Confirm removal
              </Button>
            ) : (
              <Button type="button" variant="ghost" size="sm" onClick={() => setConfirming(true)} disabled={busy} aria-label={`Remove ${passkey.name}`}>
                <Trash2Icon aria-hidden="true" />
                Remove
              </Button>
            )}
          </div>
        </div>
      )}
      <p className="text-sm text-muted-foreground">
        Added {formatDateTime(passkey.created_at)} · Last used {formatDateTime(passkey.last_used_at)}
        {passkey.backed_up ? ' · Synced' : ''}
      </p>
    </li>
  );
}
