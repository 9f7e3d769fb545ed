import { useQuery } from '@tanstack/react-query';
import { AlertTriangleIcon, CheckCircle2Icon, CircleIcon, HistoryIcon, ShieldAlertIcon } from 'lucide-react';
import { useState } from 'react';
import { ErrorAlert } from '../../components/error-alert';
import { Button } from '../../components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '../../components/ui/card';
import { api } from '../../lib/api';
import { formatDateTime } from '../../lib/format';
import { describeSecurityEvent, type EventTone } from '../../lib/security-events';
import { describeUserAgent } from '../../lib/user-agent';
import { cn } from '../../lib/utils';
import { securityEventsKey } from './two-factor-card';

const FIRST_PAGE = 12;

const toneIcon: Record<EventTone, typeof CircleIcon> = {
  neutral: CircleIcon,
  success: CheckCircle2Icon,
  warning: AlertTriangleIcon,
  danger: ShieldAlertIcon,
};

const toneClass: Record<EventTone, string> = {
  neutral: 'text-muted-foreground',
  success: 'text-success',
  warning: 'text-warning',
  danger: 'text-destructive',
};

/** The account's recent security events: what happened, when, from which address and browser. */
export function SecurityActivity() {
  const events = useQuery({ queryKey: securityEventsKey, queryFn: () => api.securityEvents(50) });
  const [showAll, setShowAll] = useState(false);
  const list = events.data?.events ?? [];
  const shown = showAll ? list : list.slice(0, FIRST_PAGE);

  return (
    <Card aria-labelledby="activity-title">
      <CardHeader>
        <CardTitle id="activity-title" className="flex items-center gap-2">
          <HistoryIcon className="size-5" aria-hidden="true" />
          Recent security activity
        </CardTitle>
        <CardDescription>Sign-ins, two-factor changes and lockouts on your account. Something you do not recognise? Change your password.</CardDescription>
      </CardHeader>
      <CardContent className="grid gap-3">
        <ErrorAlert error={events.error} title="Activity could not be loaded" />
        {events.isPending ? <p className="text-sm text-muted-foreground">Loading…</p> : null}
        {events.data && list.length === 0 ? <p className="text-sm text-muted-foreground">No activity yet.</p> : null}
        {shown.length > 0 ? (
          <ul className="divide-y rounded-lg border" data-testid="security-activity">
            {shown.map((event) => {
              const { label, tone } = describeSecurityEvent(event);
              const Icon = toneIcon[tone];
              return (
                <li key={event.id} className="flex gap-3 px-3 py-3 sm:px-4" data-event-type={event.type}>
                  <Icon className={cn('mt-0.5 size-4 shrink-0', toneClass[tone])} aria-hidden="true" />
                  <div className="grid min-w-0 flex-1 gap-1 sm:grid-cols-[1fr_auto] sm:gap-x-4">
                    <p className="text-sm font-medium">{label}</p>
                    <p className="text-sm text-muted-foreground sm:text-right">
                      <time dateTime={event.created_at}>{formatDateTime(event.created_at)}</time>
                    </p>
                    <p className="text-xs text-muted-foreground sm:col-span-2">
                      <span>{describeUserAgent(event.user_agent)}</span>
                      <span aria-hidden="true"> · </span>
                      <span className="font-mono">{event.ip ?? 'unknown address'}</span>
                    </p>
                  </div>
                </li>
              );
            })}
          </ul>
        ) : null}
        {list.length > FIRST_PAGE ? (
          <div>
            <Button variant="ghost" size="sm" onClick={() => setShowAll(!showAll)}>
              {showAll ? 'Show fewer' : `Show all ${list.length}`}
            </Button>
          </div>
        ) : null}
      </CardContent>
    </Card>
  );
}
