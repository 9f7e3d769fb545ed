import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { HttpExchange } from '../../tools/proof/evidence';
import { checkSessionRevoked, checkSessionsListed } from '../../tools/proof/checks/sessions';

/** The SESSIONS proof item's checks: each fails on the evidence a broken server would give. */

function exchange(status: number, json: unknown): HttpExchange {
  return {
    id: 'sessions-x',
    title: 'x',
    method: 'GET',
    url: 'http://127.0.0.1:1/api/auth/sessions',
    jar: undefined,
    requestBody: undefined,
    statusLine: `HTTP/1.1 ${status}`,
    status,
    headers: [],
    bodyText: JSON.stringify(json ?? ''),
    json,
    curlExitCode: 0,
    curlStderr: '',
    startedAt: new Date(0).toISOString(),
    durationMs: 1,
  };
}

const TOKEN = 'A'.repeat(43);
const row = (id: string, current: boolean) => ({ id, current, device: 'curl', ip: '127.0.0.1' });
const ID_1 = '11111111-1111-4111-8111-111111111111';
const ID_2 = '22222222-2222-4222-8222-222222222222';

describe('SESSIONS proof checks', () => {
  it('passes two sessions, one current, named by UUIDs', () => {
    expect(checkSessionsListed(exchange(200, { sessions: [row(ID_1, true), row(ID_2, false)] }), [TOKEN]).passed).toBe(true);
  });

  it('fails a list that names a session by its token or its hash', () => {
    const hash = createHash('sha256').update(TOKEN).digest('hex');
    for (const id of [TOKEN, hash]) {
      const result = checkSessionsListed(exchange(200, { sessions: [row(ID_1, true), row(id, false)] }), [TOKEN]);
      expect(result.passed).toBe(false);
      expect(result.observed).toMatch(/token/);
    }
  });

  it('fails a list with the wrong count, no current session, or a refusal', () => {
    expect(checkSessionsListed(exchange(200, { sessions: [row(ID_1, true)] }), []).passed).toBe(false);
    expect(checkSessionsListed(exchange(200, { sessions: [row(ID_1, false), row(ID_2, false)] }), []).passed).toBe(false);
    expect(checkSessionsListed(exchange(401, { error_code: 'UNAUTHENTICATED' }), []).passed).toBe(false);
  });

  it('passes a revoke only when the ended browser is refused and one session is left', () => {
    const ok = checkSessionRevoked(exchange(204, undefined), exchange(401, { error_code: 'UNAUTHENTICATED' }), exchange(200, { sessions: [row(ID_1, true)] }));
    expect(ok.every((c) => c.passed)).toBe(true);
    const stillAlive = checkSessionRevoked(exchange(204, undefined), exchange(200, {}), exchange(200, { sessions: [row(ID_1, true), row(ID_2, false)] }));
    expect(stillAlive.filter((c) => !c.passed)).toHaveLength(2);
    expect(checkSessionRevoked(exchange(404, { error_code: 'NOT_FOUND' }), exchange(401, { error_code: 'UNAUTHENTICATED' }), exchange(200, { sessions: [row(ID_1, true)] }))[0]!.passed).toBe(false);
  });
});
