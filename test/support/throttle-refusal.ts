import { expect } from 'vitest';

/** A throttle's refusal as clients meet it: 429 problem+json with RATE_LIMITED and a Retry-After that matches retry_after. */
export function expectRateLimited(refused: { status: number; headers: Headers; body: Record<string, unknown> }) {
  expect(refused.status).toBe(429);
  expect(refused.headers.get('content-type')).toContain('application/problem+json');
  expect(refused.body.error_code).toBe('RATE_LIMITED');
  expect(refused.body.retry_after).toBeGreaterThan(0);
  expect(refused.headers.get('retry-after')).toBe(String(refused.body.retry_after));
}
