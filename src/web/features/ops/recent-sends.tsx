import { useQuery } from '@tanstack/react-query';
import { ErrorAlert } from '../../components/error-alert';
import { Badge } from '../../components/ui/badge';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '../../components/ui/card';
import { api } from '../../lib/api';
import type { RecentSend } from '../../lib/api-types';
import { formatDateTime } from '../../lib/format';

export const integrationsKey = ['integrations'] as const;
export const recentSendsKey = ['sms-recent-sends'] as const;

/** Twilio's statuses after which nothing changes: no need to keep asking. */
const FINAL = new Set(['delivered', 'undelivered', 'failed', 'read', 'canceled']);
const POLL_MS = 5000;

/** Still waiting for Twilio's delivery report on a send that went out. */
function awaitingDelivery(send: RecentSend): boolean {
  return send.status === 'success' && (send.delivery_status === null || !FINAL.has(send.delivery_status));
}

function Outcome({ send }: { send: RecentSend }) {
  if (send.status === 'not_configured') return <Badge variant="secondary">Not configured</Badge>;
  if (send.status === 'failed') return <Badge variant="destructive">Refused</Badge>;
  const delivery = send.delivery_status;
  if (delivery === 'delivered' || delivery === 'read') return <Badge variant="success">Delivered</Badge>;
  if (delivery === 'undelivered' || delivery === 'failed') return <Badge variant="destructive">Not delivered</Badge>;
  return <Badge variant="outline">{delivery ? `Sent (${delivery})` : 'Sent, no report yet'}</Badge>;
}

/**
 * The newest test sends: when, to which (masked) number, what happened, the trace id and any
 * error code. Delivery comes from Twilio's status callback, so the list asks again every few
 * seconds while a send still waits for its report.
 */
export function RecentSends() {
  const sends = useQuery({
    queryKey: recentSendsKey,
    queryFn: () => api.recentSmsSends(10),
    refetchInterval: (query) => (query.state.data?.sends.some(awaitingDelivery) ? POLL_MS : false),
  });
  const rows = sends.data?.sends ?? [];
  return (
    <Card className="mt-6" aria-labelledby="recent-sends-title">
      <CardHeader>
        <CardTitle id="recent-sends-title">Recent test sends</CardTitle>
        <CardDescription>Newest first. Delivery updates as Twilio reports it.</CardDescription>
      </CardHeader>
      <CardContent>
        <ErrorAlert error={sends.error} title="Recent sends unavailable" />
        {sends.data && rows.length === 0 ? <p className="text-sm text-muted-foreground">No test SMS sent yet.</p> : null}
        {rows.length > 0 ? (
          // Scrolls sideways on a phone: focusable, so the keyboard can scroll it too.
          <div
            className="overflow-x-auto rounded-md focus-visible:ring-[3px] focus-visible:ring-ring/50 focus-visible:outline-none"
            tabIndex={0}
            role="region"
            aria-label="Recent test sends, scrollable"
          >
            <table className="w-full min-w-[36rem] text-sm" data-testid="recent-sends">
              <thead>
                <tr className="border-b text-left text-muted-foreground">
                  <th scope="col" className="py-2 pr-4 font-normal">Time</th>
                  <th scope="col" className="py-2 pr-4 font-normal">Number</th>
                  <th scope="col" className="py-2 pr-4 font-normal">Status</th>
                  <th scope="col" className="py-2 pr-4 font-normal">Trace ID</th>
                  <th scope="col" className="py-2 font-normal">Error code</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((send) => (
                  <tr key={send.trace_id} className="border-b last:border-0" data-testid="recent-send">
                    <td className="py-2 pr-4 whitespace-nowrap">{formatDateTime(send.created_at)}</td>
                    <td className="py-2 pr-4 font-mono">{send.masked_destination ?? '—'}</td>
                    <td className="py-2 pr-4" data-testid="recent-send-status">
                      <Outcome send={send} />
                    </td>
                    <td className="py-2 pr-4 font-mono text-xs break-all">{send.trace_id}</td>
                    <td className="py-2 font-mono">{send.provider_error_code ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </CardContent>
    </Card>
  );
}
