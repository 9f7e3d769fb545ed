import { Badge } from '../../components/ui/badge';
import type { IntegrationStatus } from '../../lib/api-types';
import { formatDateTime } from '../../lib/format';

const integrationNames: Record<string, string> = { twilio: 'Twilio SMS' };

export function integrationName(name: string): string {
  return integrationNames[name] ?? name;
}

export function IntegrationStateBadge({ integration }: { integration: IntegrationStatus }) {
  if (!integration.configured) return <Badge variant="secondary">Not configured</Badge>;
  if (integration.connected) return <Badge variant="success">Connected</Badge>;
  return <Badge variant="destructive">Not connected</Badge>;
}

/** One integration's control-plane facts: configured, connected, last checked and used, proof of use. */
export function IntegrationSummary({ integration }: { integration: IntegrationStatus }) {
  return (
    <div className="grid gap-3 rounded-lg border p-4" data-testid={`integration-${integration.name}`}>
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h3 className="font-medium">{integrationName(integration.name)}</h3>
        <IntegrationStateBadge integration={integration} />
      </div>
      <dl className="grid grid-cols-1 gap-x-6 gap-y-2 text-sm min-[480px]:grid-cols-2">
        <div className="grid gap-0.5">
          <dt className="text-muted-foreground">Credentials last checked</dt>
          <dd>{formatDateTime(integration.last_checked_at)}</dd>
        </div>
        <div className="grid gap-0.5">
          <dt className="text-muted-foreground">Last used</dt>
          <dd>{formatDateTime(integration.last_used_at)}</dd>
        </div>
        <div className="grid gap-0.5">
          <dt className="text-muted-foreground">Proof of use, last 24 h</dt>
          <dd>{integration.proof_of_use_count_24h}</dd>
        </div>
        <div className="grid gap-0.5">
          <dt className="text-muted-foreground">Last error</dt>
          <dd className="font-mono">{integration.last_error_code ?? 'None'}</dd>
        </div>
      </dl>
    </div>
  );
}
