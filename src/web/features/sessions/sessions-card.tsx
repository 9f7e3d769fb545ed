import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { LaptopIcon, LogOutIcon } from 'lucide-react';
import { ErrorAlert } from '../../components/error-alert';
import { ReauthCancelledError, useWithFreshSession } from '../../components/reauth-provider';
import { Badge } from '../../components/ui/badge';
import { Button } from '../../components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '../../components/ui/card';
import { api } from '../../lib/api';
import type { ActiveSession, RememberedDevice } from '../../lib/api-types';
import { formatDateTime } from '../../lib/format';
import { securityEventsKey } from '../two-factor/two-factor-card';

/**
 * Under the security-events key on purpose: every card that changes credentials (password,
 * two-factor) already invalidates that key, and a prefix match refreshes this list with it.
 */
export const sessionsKey = [...securityEventsKey, 'sessions'] as const;

/** Settings → Security: where the account is signed in and which browsers skip the second factor. */
export function SessionsCard() {
  const queryClient = useQueryClient();
  // Ending sessions needs a recent password (SESSION_NOT_FRESH): the provider asks for it and retries.
  const withFreshSession = useWithFreshSession();
  const overview = useQuery({ queryKey: sessionsKey, queryFn: () => api.sessions() });
  const refresh = () => queryClient.invalidateQueries({ queryKey: securityEventsKey });
  const revoke = useMutation({ mutationFn: (id: string) => withFreshSession(() => api.revokeSession(id)), onSettled: refresh });
  const revokeOthers = useMutation({ mutationFn: () => withFreshSession(() => api.revokeOtherSessions()), onSettled: refresh });
  const forget = useMutation({ mutationFn: (id: string) => withFreshSession(() => api.forgetRememberedDevice(id)), onSettled: refresh });

  const sessions = overview.data?.sessions ?? [];
  const devices = overview.data?.remembered_devices ?? [];
  const others = sessions.filter((s) => !s.current).length + devices.filter((d) => !d.current).length;

  return (
    <Card aria-labelledby="sessions-title">
      <CardHeader>
        <CardTitle id="sessions-title" className="flex items-center gap-2">
          <LaptopIcon className="size-5" aria-hidden="true" />
          Where you are signed in
        </CardTitle>
        {/* "End", not "Sign out": the header's Sign out button is this browser's, and must stay the only one so named. */}
        <CardDescription>End any session you do not recognise; that browser is refused at its next request.</CardDescription>
      </CardHeader>
      <CardContent className="grid gap-4">
        <ErrorAlert error={shownError(overview.error, revoke.error, revokeOthers.error, forget.error)} title="Sessions could not be updated" />
        {overview.isPending ? <p className="text-sm text-muted-foreground">Loading…</p> : null}
        {sessions.length > 0 ? (
          <ul className="divide-y rounded-lg border" data-testid="sessions-list">
            {sessions.map((session) => (
              <SessionRow key={session.id} session={session} busy={revoke.isPending} onRevoke={() => revoke.mutate(session.id)} />
            ))}
          </ul>
        ) : null}
        {devices.length > 0 ? (
          <div className="grid gap-2">
            <h3 className="text-sm font-medium">Browsers that skip the second factor</h3>
            <ul className="divide-y rounded-lg border" data-testid="remembered-devices">
              {devices.map((device) => (
                <DeviceRow key={device.id} device={device} busy={forget.isPending} onForget={() => forget.mutate(device.id)} />
              ))}
            </ul>
          </div>
        ) : null}
        {revokeOthers.data ? (
          <p role="status" className="text-sm text-muted-foreground">
            Signed out {revokeOthers.data.sessions_revoked} other session(s); forgot {revokeOthers.data.remembered_devices_forgotten} other browser(s).
          </p>
        ) : null}
        <div>
          <Button variant="outline" disabled={others === 0 || revokeOthers.isPending} onClick={() => revokeOthers.mutate()}>
            <LogOutIcon aria-hidden="true" />
            {revokeOthers.isPending ? 'Ending…' : 'End every other session'}
          </Button>
        </div>
      </CardContent>
    </Card>
  );
}

/** The first failure worth showing: closing the password prompt is a choice, not an error. */
function shownError(...errors: unknown[]): unknown {
  return errors.find((error) => error && !(error instanceof ReauthCancelledError)) ?? null;
}

function SessionRow({ session, busy, onRevoke }: { session: ActiveSession; busy: boolean; onRevoke: () => void }) {
  return (
    <li className="flex items-center gap-3 px-3 py-3 sm:px-4" data-session-id={session.id} data-current={session.current}>
      <div className="grid min-w-0 flex-1 gap-1">
        <p className="flex flex-wrap items-center gap-2 text-sm font-medium">
          {session.device}
          {session.current ? <Badge variant="secondary">This browser</Badge> : null}
          {session.second_factor_remembered ? <Badge variant="outline">Remembered browser</Badge> : null}
        </p>
        <p className="text-xs text-muted-foreground">
          <span className="font-mono">{session.ip ?? 'unknown address'}</span>
          <span aria-hidden="true"> · </span>
          <span>Signed in {formatDateTime(session.created_at)}</span>
          <span aria-hidden="true"> · </span>
          <span>Last active {formatDateTime(session.last_seen_at)}</span>
        </p>
      </div>
      {session.current ? null : (
        <Button variant="ghost" size="sm" disabled={busy} onClick={onRevoke} aria-label={`End session: ${session.device}`}>
          End session
        </Button>
      )}
    </li>
  );
}

function DeviceRow({ device, busy, onForget }: { device: RememberedDevice; busy: boolean; onForget: () => void }) {
  return (
    <li className="flex items-center gap-3 px-3 py-3 sm:px-4" data-device-id={device.id} data-current={device.current}>
      <div className="grid min-w-0 flex-1 gap-1">
        <p className="flex flex-wrap items-center gap-2 text-sm font-medium">
          {device.device}
          {device.current ? <Badge variant="secondary">This browser</Badge> : null}
        </p>
        <p className="text-xs text-muted-foreground">
          <span className="font-mono">{device.ip ?? 'unknown address'}</span>
          <span aria-hidden="true"> · </span>
          <span>Remembered until {formatDateTime(device.expires_at)}</span>
        </p>
      </div>
      <Button variant="ghost" size="sm" disabled={busy} onClick={onForget} aria-label={`Forget ${device.device}`}>
        Forget
      </Button>
    </li>
  );
}
