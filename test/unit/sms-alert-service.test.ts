import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { AuditLog } from '../../src/server/audit/service';
import { maskPhoneNumber } from '../../src/server/alerts/mask';
import { createSmsAlertService } from '../../src/server/alerts/service';
import type { SendSmsInput, SmsProvider } from '../../src/server/integrations/sms-provider';
import type { NewUsageEvent } from '../../src/server/integrations/store';
import { isAppError } from '../../src/server/core/app-error';
import { createLogger } from '../../src/server/lib/logger';
import { createTelemetry } from '../../src/server/lib/telemetry';
import { createLimitGate } from '../../src/server/limits/limit-gate';
import { openLimiterStore } from '../../src/server/limits/limiter-store';

const ORIGIN = { ip: '203.0.113.9', userAgent: 'test', requestId: 'req-unit-0001' };

function harness(provider: SmsProvider | undefined, insertUsageEvent: (event: NewUsageEvent) => Promise<void>) {
  const logs: string[] = [];
  const logger = createLogger('info', new Writable({ write: (chunk, _e, cb) => (logs.push(String(chunk)), cb()) }));
  const store = openLimiterStore({ redisUrl: undefined, redisKeyPrefix: 't', pool: undefined, logger });
  const gate = (name: string) => createLimitGate(store, { name, points: 100, durationSeconds: 3600 }, 'RATE_LIMITED', () => undefined);
  const audit: AuditLog = { subscribe: () => undefined, record: async () => undefined, toRows: () => [], announce: async () => undefined, listForUser: async () => [] };
  const service = createSmsAlertService({
    provider,
    usage: { insertUsageEvent },
    audit,
    telemetry: createTelemetry(logger),
    logger,
    clock: { nowMs: () => 1_700_000_000_000 },
    randomBytes: (n) => Buffer.alloc(n, 0xab),
    limits: { admin: gate('a'), ip: gate('i') },
    statusCallbackUrl: undefined,
    providerTimeoutMs: 10_000,
    allowedCountries: ['US'],
    issuer: 'Proofgate',
  });
  return { service, logs };
}

const acceptingProvider: SmsProvider = {
  integration: 'twilio',
  sendSms: async () => ({ ok: true, providerMessageId: `SM${'1'.repeat(32)}`, status: 'queued' }),
  checkCredentials: async () => ({ ok: true }),
};

describe('sms alert service', () => {
  it('a usage row that cannot be written does not turn a sent SMS into an error: the answer and the log line tell the truth', async () => {
    const { service, logs } = harness(acceptingProvider, async () => {
      throw Object.assign(new Error('connection terminated'), { code: '57P01' });
    });
    const result = await service.sendTestSms({ to: '+15005550006', note: undefined, actorUserId: '00000000-0000-4000-8000-000000000001' }, ORIGIN);
    expect(result).toEqual({ traceId: 'ab'.repeat(16), providerMessageId: `SM${'1'.repeat(32)}`, status: 'queued' });
    const lines = logs.map((l) => JSON.parse(l));
    expect(lines.find((l) => l.msg === 'sms usage event could not be recorded')).toMatchObject({ trace_id: result.traceId, cause_code: '57P01' });
    expect(lines.find((l) => l.event === 'sms.test')).toMatchObject({ status: 'success', recorded: false, provider_reference: result.providerMessageId });
  });

  it('a provider that throws despite its contract still yields one failed row and a problem, not a 500', async () => {
    const rows: unknown[] = [];
    const throwing: SmsProvider = { ...acceptingProvider, sendSms: async () => Promise.reject(new Error('boom')) };
    const { service } = harness(throwing, async (event) => void rows.push(event));
    const error = await service.sendTestSms({ to: '+15005550006', note: 'x', actorUserId: '00000000-0000-4000-8000-000000000001' }, ORIGIN).catch((e: unknown) => e);
    expect(isAppError(error) && error.code).toBe('SMS_PROVIDER_UNAVAILABLE');
    expect(rows).toEqual([expect.objectContaining({ status: 'failed', providerErrorCode: 'CLIENT_ERROR' })]);
  });

  it('refuses a destination outside the geo permissions before any provider call, as one failed SMS_DESTINATION_NOT_ALLOWED row', async () => {
    const rows: NewUsageEvent[] = [];
    const sent: SendSmsInput[] = [];
    const recording: SmsProvider = { ...acceptingProvider, sendSms: async (input) => (sent.push(input), acceptingProvider.sendSms(input)) };
    const { service, logs } = harness(recording, async (event) => void rows.push(event));
    for (const [to, reason] of [
      ['+8823900000001', 'non_geographic'],
      ['+19005550100', 'premium_rate'],
      ['+2347010000000', 'country_not_allowed'],
    ] as const) {
      const error = await service.sendTestSms({ to, note: undefined, actorUserId: '00000000-0000-4000-8000-000000000001' }, ORIGIN).catch((e: unknown) => e);
      expect(isAppError(error) && { code: error.code, status: error.status, reason: error.extensions.reason }).toEqual({
        code: 'SMS_DESTINATION_NOT_ALLOWED',
        status: 422,
        reason,
      });
      expect(isAppError(error) && error.detail).not.toContain(to);
    }
    expect(sent).toEqual([]);
    expect(rows.map((r) => ({ status: r.status, code: r.providerErrorCode, latency: r.latencyMs, reference: r.providerReference }))).toEqual(
      Array(3).fill({ status: 'failed', code: 'SMS_DESTINATION_NOT_ALLOWED', latency: null, reference: null }),
    );
    const lines = logs.map((l) => JSON.parse(l)).filter((l) => l.event === 'sms.test');
    expect(lines.map((l) => l.refusal)).toEqual(['non_geographic', 'premium_rate', 'country_not_allowed']);
  });

  it('sends the fixed text with the note on its own line of it, never a text of the caller\'s choosing', async () => {
    const sent: SendSmsInput[] = [];
    const recording: SmsProvider = { ...acceptingProvider, sendSms: async (input) => (sent.push(input), acceptingProvider.sendSms(input)) };
    const { service } = harness(recording, async () => undefined);
    await service.sendTestSms({ to: '+14155550123', note: 'rota check', actorUserId: '00000000-0000-4000-8000-000000000001' }, ORIGIN);
    expect(sent[0]!.body).toBe(`Proofgate test alert: SMS delivery works (trace ${'ab'.repeat(16)}). Note: rota check`);
  });

  it('masks a number to its first two characters and last four digits with a fixed run of stars', () => {
    expect(maskPhoneNumber('+15005550006')).toBe('+1*******0006');
    expect(maskPhoneNumber('+447700900123')).toBe('+4*******0123');
    expect(maskPhoneNumber('+1234567')).toBe('+1*******4567');
  });
});
