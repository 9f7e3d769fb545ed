import { useQuery, useQueryClient } from '@tanstack/react-query';
import { RefreshCwIcon, SendIcon } from 'lucide-react';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ErrorAlert, LockoutAlert } from '../components/error-alert';
import { PageHeader } from '../components/layout';
import { Button } from '../components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '../components/ui/card';
import { Input, Textarea } from '../components/ui/input';
import { Label } from '../components/ui/label';
import { AttemptResult, type Attempt } from '../features/ops/attempt-result';
import { IntegrationSummary } from '../features/ops/integration-summary';
import { integrationsKey, RecentSends, recentSendsKey } from '../features/ops/recent-sends';
import { useLockout } from '../hooks/use-lockout';
import { api, ApiError, isApiError } from '../lib/api';
import type { IntegrationStatus } from '../lib/api-types';
import { SMS_TEST_NOTE_MAX_CHARS, smsTestNoteProblem } from '../../common/sms-test-text';
import { NotAllowed } from './not-allowed';


async function fetchTwilio(): Promise<IntegrationStatus | null> {
  const { integrations } = await api.integrationsStatus();
  return integrations.find((integration) => integration.name === 'twilio') ?? null;
}

/**
 * OpsAlerts: send a test SMS through Twilio and show the proof it happened — the trace id the
 * server stored with the attempt, the provider's message id, and Twilio's usage counters read
 * from /api/integrations/status just before and just after the send.
 */
export function OpsAlertsPage() {
  const queryClient = useQueryClient();
  const integrations = useQuery({ queryKey: integrationsKey, queryFn: () => api.integrationsStatus() });
  const [to, setTo] = useState('');
  const [note, setNote] = useState('');
  const [toError, setToError] = useState<string | null>(null);
  const [noteError, setNoteError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [checking, setChecking] = useState(false);
  const [attempt, setAttempt] = useState<Attempt | null>(null);
  const [error, setError] = useState<unknown>(null);
  const { lockout, secondsLeft, capture } = useLockout();
  const toRef = useRef<HTMLInputElement>(null);
  const noteRef = useRef<HTMLTextAreaElement>(null);
  const resultRef = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    if (attempt) resultRef.current?.focus();
  }, [attempt]);

  if (isApiError(integrations.error, 'FORBIDDEN') || isApiError(error, 'FORBIDDEN')) return <NotAllowed page="OpsAlerts" />;

  const twilio = integrations.data?.integrations.find((integration) => integration.name === 'twilio');

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    // Only the format is judged here; which countries and number types may be sent to is the
    // server's call (SMS_ALLOWED_COUNTRIES), and its refusal is an audited attempt with a trace id.
    // The rule module carries libphonenumber's metadata, so it is fetched on first use only.
    let phone: typeof import('../../common/phone');
    try {
      phone = await import('../../common/phone');
    } catch (failure) {
      setError(failure);
      return;
    }
    const number = phone.normalizePhoneInput(to);
    if (!number) {
      setToError('Enter the number in international format: a + then the country code and number, e.g. +14155550123.');
      toRef.current?.focus();
      return;
    }
    setToError(null);
    const trimmedNote = note.trim();
    const problem = trimmedNote ? smsTestNoteProblem(trimmedNote) : undefined;
    if (problem) {
      setNoteError(`The note ${problem}.`);
      noteRef.current?.focus();
      return;
    }
    setNoteError(null);
    setError(null);
    setBusy(true);
    try {
      const before = await fetchTwilio();
      let outcome: Attempt['outcome'];
      try {
        outcome = { ok: true, result: await api.sendTestSms(number, trimmedNote || undefined) };
      } catch (failure) {
        if (!(failure instanceof ApiError) || failure.errorCode === 'FORBIDDEN') throw failure;
        if (capture(failure) && !failure.traceId) return;
        outcome = { ok: false, error: failure };
      }
      const after = await fetchTwilio();
      void queryClient.invalidateQueries({ queryKey: integrationsKey });
      void queryClient.invalidateQueries({ queryKey: recentSendsKey });
      setAttempt({ to: number, outcome, before, after });
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  const checkNow = async () => {
    setChecking(true);
    try {
      queryClient.setQueryData(integrationsKey, await api.integrationsStatus(true));
    } catch (failure) {
      setError(failure);
    } finally {
      setChecking(false);
    }
  };

  return (
    <>
      <PageHeader title="OpsAlerts" description="Operations alerts go out as SMS through Twilio. Send a test to check the whole path." />
      <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_minmax(0,1fr)]">
        <Card aria-labelledby="sms-test-title">
          <CardHeader>
            <CardTitle id="sms-test-title">Send a test SMS</CardTitle>
            <CardDescription>
              The message is sent for real and counted as proof of use. Its text is fixed; you may add a short note. Only numbers in
              the countries this server allows can receive it.
            </CardDescription>
          </CardHeader>
          <CardContent>
            <form method="post" onSubmit={submit} className="grid gap-4" noValidate>
              {lockout ? <LockoutAlert lockout={lockout} secondsLeft={secondsLeft} /> : <ErrorAlert error={error} title="The test could not run" />}
              <div className="grid gap-2">
                <Label htmlFor="sms-to">Phone number</Label>
                <Input
                  ref={toRef}
                  id="sms-to"
                  type="tel"
                  autoComplete="tel"
                  inputMode="tel"
                  placeholder="+14155550123"
                  value={to}
                  onChange={(e) => setTo(e.target.value)}
                  aria-invalid={toError ? true : undefined}
                  aria-describedby={toError ? 'sms-to-hint sms-to-error' : 'sms-to-hint'}
                  required
                />
                <p id="sms-to-hint" className="text-xs text-muted-foreground">
                  International format (E.164): + country code and number.
                </p>
                {toError ? (
                  <p id="sms-to-error" className="text-sm text-destructive">
                    {toError}
                  </p>
                ) : null}
              </div>
              <div className="grid gap-2">
                <Label htmlFor="sms-note">Note (optional)</Label>
                <Textarea
                  ref={noteRef}
                  id="sms-note"
                  maxLength={SMS_TEST_NOTE_MAX_CHARS}
                  value={note}
                  onChange={(e) => setNote(e.target.value)}
                  placeholder="Weekly on-call check"
                  rows={2}
                  aria-invalid={noteError ? true : undefined}
                  aria-describedby={noteError ? 'sms-note-hint sms-note-error' : 'sms-note-hint'}
                />
                <p id="sms-note-hint" className="text-xs text-muted-foreground">
                  Added after the fixed test text, which names the trace id. One line, at most {SMS_TEST_NOTE_MAX_CHARS} characters (
                  {note.length}/{SMS_TEST_NOTE_MAX_CHARS}).
                </p>
                {noteError ? (
                  <p id="sms-note-error" className="text-sm text-destructive">
                    {noteError}
                  </p>
                ) : null}
              </div>
              <div>
                <Button type="submit" disabled={busy || lockout !== null}>
                  <SendIcon aria-hidden="true" />
                  {busy ? 'Sending…' : 'Send test SMS'}
                </Button>
              </div>
            </form>
          </CardContent>
        </Card>

        <Card aria-labelledby="twilio-title">
          <CardHeader>
            <div className="flex flex-wrap items-center justify-between gap-2">
              <CardTitle id="twilio-title">Twilio integration</CardTitle>
              <Button variant="outline" size="sm" onClick={checkNow} disabled={checking}>
                <RefreshCwIcon aria-hidden="true" />
                {checking ? 'Checking…' : 'Check credentials now'}
              </Button>
            </div>
          </CardHeader>
          <CardContent className="grid gap-3">
            <ErrorAlert error={integrations.error && !isApiError(integrations.error, 'FORBIDDEN') ? integrations.error : null} title="Status unavailable" />
            {twilio ? <IntegrationSummary integration={twilio} /> : null}
            {integrations.data && !twilio ? <p className="text-sm text-muted-foreground">This server reports no Twilio integration.</p> : null}
            {integrations.isPending ? <p className="text-sm text-muted-foreground">Loading…</p> : null}
          </CardContent>
        </Card>
      </div>

      {attempt ? <AttemptResult attempt={attempt} headingRef={resultRef} /> : null}
      <RecentSends />
    </>
  );
}
