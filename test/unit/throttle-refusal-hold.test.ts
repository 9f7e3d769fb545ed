import type { Request, Response } from 'express';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AppError } from '../../src/server/core/app-error';
import { problemMiddleware } from '../../src/server/http/problem';
import { createRefusalHold } from '../../src/server/lib/refusal-hold';

/**
 * Threat: one address with a few hundred connections re-sending on every refusal. Answered at
 * once, a throttle's 429 came straight back: about 2,800 refusals a second in the bench's
 * login flood with 200 connections, and a legitimate login from another address at 12× its
 * quiet latency. Held, each connection sends about one request a second. Fake clock: the
 * delay is asserted exactly, never measured.
 */

interface SentAnswer {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

/** The parts of a request and response sendProblem touches, recording what was sent. */
function fakeExchange() {
  const sent: SentAnswer[] = [];
  const headers: Record<string, string> = {};
  let status = 200;
  const res = {
    headersSent: false,
    destroyed: false,
    locals: {},
    setHeader: (name: string, value: string) => void (headers[name.toLowerCase()] = value),
    getHeader: (name: string) => headers[name.toLowerCase()],
    status(code: number) {
      status = code;
      return res;
    },
    type: () => res,
    send(body: string) {
      res.headersSent = true;
      sent.push({ status, headers: { ...headers }, body: JSON.parse(body) as Record<string, unknown> });
      return res;
    },
    end: () => res,
  };
  const req = { originalUrl: '/api/auth/login', context: { requestId: 'req-00000001' } };
  return { req: req as unknown as Request, res: res as unknown as Response & { destroyed: boolean }, sent };
}

const logger = pino({ level: 'silent' });

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('a held refusal (lib/refusal-hold.ts)', () => {
  it('answers after exactly the delay, at most maxHeld at a time; beyond, the caller answers at once', () => {
    const hold = createRefusalHold({ delayMs: 1000, maxHeld: 2 });
    const answered: number[] = [];
    expect(hold.tryHold(() => answered.push(1))).toBe(true);
    expect(hold.tryHold(() => answered.push(2))).toBe(true);
    expect(hold.tryHold(() => answered.push(3))).toBe(false);
    expect(hold.held()).toBe(2);
    vi.advanceTimersByTime(999);
    expect(answered).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(answered).toEqual([1, 2]);
    expect(hold.held()).toBe(0);
    expect(hold.tryHold(() => answered.push(4))).toBe(true);
  });

  it('holds nothing with a delay of 0', () => {
    const hold = createRefusalHold({ delayMs: 0, maxHeld: 10 });
    expect(hold.tryHold(() => undefined)).toBe(false);
    expect(hold.held()).toBe(0);
  });
});

describe('the problem middleware holds a throttle refusal (429) and nothing else', () => {
  const answer = (error: AppError, hold = createRefusalHold({ delayMs: 1000, maxHeld: 8 })) => {
    const exchange = fakeExchange();
    problemMiddleware(logger, hold)(error, exchange.req, exchange.res, () => undefined);
    return { ...exchange, hold };
  };

  it.each(['RATE_LIMITED', 'TWO_FACTOR_LOCKED'] as const)('%s: answered 1 s later, as problem+json with the Retry-After it was refused with', (code) => {
    const { sent, hold } = answer(new AppError(code, { retryAfterSeconds: 42 }));
    expect(sent).toEqual([]);
    expect(hold.held()).toBe(1);
    vi.advanceTimersByTime(1000);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.status).toBe(429);
    expect(sent[0]!.body).toMatchObject({ error_code: code, retry_after: 42, request_id: 'req-00000001' });
    expect(sent[0]!.headers['retry-after']).toBe('42');
  });

  it.each(['INVALID_CREDENTIALS', 'SERVICE_UNAVAILABLE', 'VALIDATION_FAILED'] as const)('%s: answered at once', (code) => {
    const { sent, hold } = answer(new AppError(code));
    expect(sent).toHaveLength(1);
    expect(hold.held()).toBe(0);
  });

  it('a 429 past the bound is answered at once; one whose client left is never written', () => {
    const full = createRefusalHold({ delayMs: 1000, maxHeld: 1 });
    const first = answer(new AppError('RATE_LIMITED', { retryAfterSeconds: 5 }), full);
    const second = answer(new AppError('RATE_LIMITED', { retryAfterSeconds: 5 }), full);
    expect(second.sent).toHaveLength(1);
    first.res.destroyed = true;
    vi.advanceTimersByTime(1000);
    expect(first.sent).toEqual([]);
    // The request log of a client that left names the refusal it was held for.
    expect(first.res.statusCode).toBe(429);
    expect(first.res.locals.errorCode).toBe('RATE_LIMITED');
    expect(full.held()).toBe(0);
  });

  it('without a hold (a host route outside the gate), a 429 is answered at once', () => {
    const exchange = fakeExchange();
    problemMiddleware(logger)(new AppError('RATE_LIMITED', { retryAfterSeconds: 5 }), exchange.req, exchange.res, () => undefined);
    expect(exchange.sent).toHaveLength(1);
  });
});
