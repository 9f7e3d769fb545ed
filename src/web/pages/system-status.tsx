import { useQuery, useQueryClient } from '@tanstack/react-query';
import { CheckCircle2Icon, RefreshCwIcon, TriangleAlertIcon } from 'lucide-react';
import { ErrorAlert } from '../components/error-alert';
import { PageHeader } from '../components/layout';
import { Alert, AlertTitle } from '../components/ui/alert';
import { Badge } from '../components/ui/badge';
import { Button } from '../components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '../components/ui/card';
import { BlockerList } from '../features/ops/blocker-list';
import { IntegrationSummary } from '../features/ops/integration-summary';
import { checkName, humanizeDates, verdictOf } from '../features/ops/system-words';
import { api, isApiError } from '../lib/api';
import { NotAllowed } from './not-allowed';
import { integrationsKey } from '../features/ops/recent-sends';

const systemStatusKey = ['system-status'] as const;

/** A check from /api/system/status in words: its state and its other plain facts. */
function describeCheck(value: unknown): { state: 'ok' | 'problem' | 'info'; facts: string[] } {
  if (value === null || typeof value !== 'object') return { state: 'info', facts: [String(value)] };
  const record = value as Record<string, unknown>;
  let state: 'ok' | 'problem' | 'info' = 'info';
  if (typeof record.ok === 'boolean') state = record.ok ? 'ok' : 'problem';
  else if (typeof record.status === 'string') state = ['ok', 'up', 'pass', 'healthy'].includes(record.status) ? 'ok' : 'problem';
  const facts = Object.entries(record)
    .filter(([key, fact]) => key !== 'ok' && fact !== null && fact !== undefined && typeof fact !== 'object')
    .map(([key, fact]) => {
      const text = humanizeDates(String(fact));
      // "detail" is the check's own sentence; other facts keep their name.
      return key === 'detail' ? text : `${key.replace(/_/g, ' ')}: ${text}`;
    });
  return { state, facts };
}

/** System status for operators: blockers first, each with its fix, then every check and integration. */
export function SystemStatusPage() {
  const queryClient = useQueryClient();
  const status = useQuery({ queryKey: systemStatusKey, queryFn: api.systemStatus });
  const integrations = useQuery({ queryKey: integrationsKey, queryFn: () => api.integrationsStatus() });

  if (isApiError(status.error, 'FORBIDDEN') || isApiError(integrations.error, 'FORBIDDEN')) return <NotAllowed page="System status" />;

  const refresh = async () => {
    const fresh = await api.integrationsStatus(true).catch(() => undefined);
    if (fresh) queryClient.setQueryData(integrationsKey, fresh);
    await status.refetch();
  };
  const data = status.data;
  const summary = data ? verdictOf(data.status) : null;

  return (
    <>
      <PageHeader
        title="System status"
        description={summary ? summary.text : 'What this server needs to run for real, and what is missing.'}
        actions={
          <div className="flex items-center gap-2">
            {summary ? (
              <Badge variant={summary.variant} className="px-3 py-1 text-sm" data-testid="system-state">
                {summary.label}
              </Badge>
            ) : null}
            <Button variant="outline" size="sm" onClick={refresh} disabled={status.isFetching}>
              <RefreshCwIcon aria-hidden="true" />
              Refresh
            </Button>
          </div>
        }
      />
      <div className="grid gap-6">
        <ErrorAlert error={status.error} title="Status unavailable" />
        {status.isPending ? <p className="text-sm text-muted-foreground">Loading…</p> : null}
        {data ? (
          <Card aria-labelledby="blockers-title">
            <CardHeader>
              <CardTitle id="blockers-title">Blockers</CardTitle>
              <CardDescription>
                {data.blockers.length === 0
                  ? 'Nothing blocks real use.'
                  : 'Each one says whether it blocks real use or only needs attention, and names its fix.'}
              </CardDescription>
            </CardHeader>
            <CardContent>
              {data.blockers.length === 0 ? (
                <Alert variant="success">
                  <CheckCircle2Icon aria-hidden="true" />
                  <AlertTitle>No blockers</AlertTitle>
                </Alert>
              ) : (
                <BlockerList blockers={data.blockers} />
              )}
            </CardContent>
          </Card>
        ) : null}

        {data ? (
          <Card aria-labelledby="checks-title">
            <CardHeader>
              <CardTitle id="checks-title">Checks</CardTitle>
            </CardHeader>
            <CardContent>
              <ul className="divide-y rounded-lg border" data-testid="checks">
                {Object.entries(data.checks).map(([name, value]) => {
                  const check = describeCheck(value);
                  return (
                    <li key={name} className="flex gap-3 px-3 py-3 sm:px-4">
                      {check.state === 'ok' ? (
                        <CheckCircle2Icon className="mt-0.5 size-4 shrink-0 text-success" aria-label="OK" />
                      ) : check.state === 'problem' ? (
                        <TriangleAlertIcon className="mt-0.5 size-4 shrink-0 text-warning" aria-label="Needs attention" />
                      ) : (
                        <span className="size-4 shrink-0" aria-hidden="true" />
                      )}
                      <div className="grid min-w-0 gap-0.5">
                        <p className="text-sm font-medium">{checkName(name)}</p>
                        {check.facts.length > 0 ? <p className="text-xs break-words text-muted-foreground">{check.facts.join(' · ')}</p> : null}
                      </div>
                    </li>
                  );
                })}
              </ul>
            </CardContent>
          </Card>
        ) : null}

        <Card aria-labelledby="integrations-title">
          <CardHeader>
            <CardTitle id="integrations-title">Integrations</CardTitle>
          </CardHeader>
          <CardContent className="grid gap-3">
            <ErrorAlert error={integrations.error} title="Integrations unavailable" />
            {integrations.data?.integrations.map((integration) => <IntegrationSummary key={integration.name} integration={integration} />)}
            {integrations.data && integrations.data.integrations.length === 0 ? (
              <p className="text-sm text-muted-foreground">No integrations reported.</p>
            ) : null}
          </CardContent>
        </Card>
      </div>
    </>
  );
}
