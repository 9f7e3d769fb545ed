import { Badge } from '../../components/ui/badge';
import type { IntegrationStatus } from '../../lib/api-types';
import { messageForProviderError } from '../../lib/error-messages';
import { formatDateTime } from '../../lib/format';

const integrationNames: Record<string, string> = { twilio: 'Twilio SMS' };

export function integrationName(name: string): string {
  return integrationNames[name] ?? name;
}

export function IntegrationStateBadge({ integration }: { integration: IntegrationStatus }) {
  if (!integration.configured) return <Badge variant="secondary">Not configured</Badge>;
  if (!integration.connected) return <Badge variant="destructive">Not connected</Badge>;
  // Credentials work, but the newest send failed: not the unqualified green of "all good".
  if (integration.last_error_code) return <Badge variant="warning">Connected, last send failed</Badge>;
  return <Badge variant="success">Connected</Badge>;
}

/**
 * "Connected" and "last error" answer different questions (do the credentials work? did the
 * newest send work?), so when both show, the card says which is which.
 */
/** An error code in words, ending in a full stop: Twilio's numeric codes explained, ours as they are. */
function describeCode(code: string): string {
  return /^\d+$/.test(code) ? messageForProviderError(code) : `${code}.`;
}

function explainState(integration: IntegrationStatus): string | null {
  const code = integration.last_error_code;
  if (!integration.configured) return 'Its settings are missing, so nothing is sent.';
  if (!integration.connected) {
    return code
      ? `The last credential check failed, so sends fail until the credentials are fixed: ${describeCode(code)}`
      : 'The credentials have not passed a check yet.';
  }
  if (code) {
    return `The credentials work (the last check passed), but the newest send failed: ${describeCode(code)} The error clears when a send succeeds.`;
  }
  return null;
}

/** One integration's control-plane facts: configured, connected, last checked and used, proof of use. */
export function IntegrationSummary({ integration }: { integration: IntegrationStatus }) {
  const explanation = explainState(integration);
  return (
    <div className="grid gap-3 rounded-lg border p-4" data-testid={`integration-${integration.name}`}>
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h3 className="font-medium">{integrationName(integration.name)}</h3>
        <IntegrationStateBadge integration={integration} />
      </div>
      {explanation ? (
        <p className="text-sm text-muted-foreground" data-testid={`integration-${integration.name}-explanation`}>
          {explanation}
        </p>
      ) : null}
      <dl className="grid grid-cols-1 gap-x-6 gap-y-2 text-sm min-[480px]:grid-cols-2">
        <div className="grid gap-0.5">
          <dt className="text-muted-foreground">Credentials last checked</dt>
          <dd>{formatDateTime(integration.last_checked_at)}</dd>
        </div>
        <div className="grid gap-0.5">
          <dt className="text-muted-foreground">Last successful send</dt>
          <dd>{formatDateTime(integration.last_used_at)}</dd>
        </div>
        <div className="grid gap-0.5">
          <dt className="text-muted-foreground">Successful sends, last 24 h</dt>
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
