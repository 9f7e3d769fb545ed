import { CheckCircle2Icon, XCircleIcon } from 'lucide-react';
import type { RefObject } from 'react';
import { CopyButton } from '../../components/copy-button';
import { Badge } from '../../components/ui/badge';
import { Card, CardContent, CardDescription, CardHeader } from '../../components/ui/card';
import type { ApiError } from '../../lib/api';
import type { IntegrationStatus, SmsTestResult } from '../../lib/api-types';
import { messageForCode, messageForProviderError } from '../../lib/error-messages';
import { formatDateTime } from '../../lib/format';

/** One test send as the page saw it: the outcome, and Twilio's usage read just before and after. */
export interface Attempt {
  to: string;
  outcome: { ok: true; result: SmsTestResult } | { ok: false; error: ApiError };
  before: IntegrationStatus | null;
  after: IntegrationStatus | null;
}

export function AttemptResult({ attempt, headingRef }: { attempt: Attempt; headingRef: RefObject<HTMLHeadingElement | null> }) {
  const { outcome } = attempt;
  const traceId = outcome.ok ? outcome.result.trace_id : outcome.error.traceId;
  return (
    <Card className="mt-6" aria-labelledby="sms-result-title" data-testid="sms-result" data-outcome={outcome.ok ? 'sent' : 'failed'}>
      <CardHeader>
        <h2
          id="sms-result-title"
          ref={headingRef}
          tabIndex={-1}
          className="flex flex-wrap items-center gap-2 text-lg leading-tight font-semibold outline-none"
        >
          {outcome.ok ? (
            <CheckCircle2Icon className="size-5 text-success" aria-hidden="true" />
          ) : (
            <XCircleIcon className="size-5 text-destructive" aria-hidden="true" />
          )}
          {outcome.ok ? 'Test SMS sent' : 'Test SMS failed'}
          <Badge variant={outcome.ok ? 'success' : 'destructive'}>{outcome.ok ? 'Success' : 'Failure'}</Badge>
        </h2>
        <CardDescription>To {attempt.to}</CardDescription>
      </CardHeader>
      <CardContent className="grid gap-5">
        {outcome.ok ? null : (
          <p role="alert" className="text-sm text-destructive" data-testid="sms-failure">
            {messageForCode(outcome.error.errorCode)}
            {outcome.error.providerErrorCode ? ` ${messageForProviderError(outcome.error.providerErrorCode)}` : ''}
            {outcome.error.errorCode === 'SMS_DESTINATION_NOT_ALLOWED' && outcome.error.detail ? ` ${outcome.error.detail}.` : ''}
          </p>
        )}
        <dl className="grid gap-x-6 gap-y-3 text-sm sm:grid-cols-2">
          <div className="grid min-w-0 gap-1">
            <dt className="text-muted-foreground">Trace ID</dt>
            <dd className="flex min-w-0 flex-wrap items-center gap-2">
              <code className="font-mono break-all" data-testid="trace-id">
                {traceId ?? 'none returned'}
              </code>
              {traceId ? <CopyButton text={traceId} label="Copy" /> : null}
            </dd>
          </div>
          {outcome.ok ? (
            <>
              <div className="grid min-w-0 gap-1">
                <dt className="text-muted-foreground">Provider message ID</dt>
                <dd className="font-mono break-all" data-testid="provider-message-id">
                  {outcome.result.provider_message_id}
                </dd>
              </div>
              <div className="grid gap-1">
                <dt className="text-muted-foreground">Provider status</dt>
                <dd>{outcome.result.status}</dd>
              </div>
            </>
          ) : (
            <>
              <div className="grid gap-1">
                <dt className="text-muted-foreground">Error code</dt>
                <dd className="font-mono" data-testid="sms-error-code">
                  {outcome.error.errorCode}
                </dd>
              </div>
              {outcome.error.providerErrorCode ? (
                <div className="grid gap-1">
                  <dt className="text-muted-foreground">Twilio error code</dt>
                  <dd className="font-mono">{outcome.error.providerErrorCode}</dd>
                </div>
              ) : null}
            </>
          )}
        </dl>
        <ProofOfUse before={attempt.before} after={attempt.after} />
      </CardContent>
    </Card>
  );
}

/** Twilio's usage counters before and after the send, side by side: the count should go up by one on success. */
function ProofOfUse({ before, after }: { before: IntegrationStatus | null; after: IntegrationStatus | null }) {
  const rows = [
    { label: 'Last used', before: formatDateTime(before?.last_used_at), after: formatDateTime(after?.last_used_at), id: 'last-used' },
    {
      label: 'Proof of use, last 24 h',
      before: String(before?.proof_of_use_count_24h ?? '—'),
      after: String(after?.proof_of_use_count_24h ?? '—'),
      id: 'count',
    },
  ];
  return (
    <div
      className="overflow-x-auto rounded-md focus-visible:ring-[3px] focus-visible:ring-ring/50 focus-visible:outline-none"
      tabIndex={0}
      role="region"
      aria-label="Twilio usage before and after, scrollable"
    >
      <table className="w-full min-w-[18rem] text-sm" data-testid="proof-of-use">
        <caption className="mb-2 text-left font-medium">Twilio usage, read from the server before and after the send</caption>
        <thead>
          <tr className="border-b text-left text-muted-foreground">
            <th scope="col" className="py-2 pr-4 font-normal">
              <span className="sr-only">Measure</span>
            </th>
            <th scope="col" className="py-2 pr-4 font-normal">
              Before
            </th>
            <th scope="col" className="py-2 font-normal">
              After
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.id} className="border-b last:border-0">
              <th scope="row" className="py-2 pr-4 text-left font-normal text-muted-foreground">
                {row.label}
              </th>
              <td className="py-2 pr-4" data-testid={`before-${row.id}`}>
                {row.before}
              </td>
              <td className={row.before === row.after ? 'py-2' : 'py-2 font-semibold'} data-testid={`after-${row.id}`}>
                {row.after}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
