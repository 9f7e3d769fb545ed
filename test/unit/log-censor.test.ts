import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CENSORED, censorSecrets } from '../../src/server/lib/log-censor';
import { createLogger } from '../../src/server/lib/logger';

function capturingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger(
    'info',
    new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    }),
  );
  return { logger, lines };
}

describe('censorSecrets', () => {
  it('censors secret-named fields at the top level, nested and inside arrays, in any letter case', () => {
    const input = {
      password: 'hunter2hunter2',
      user: { email: 'a@example.test', Code: '123456' },
      headers: { cookie: 'pg_session=abc', Authorization: 'Bearer x', accept: 'json' },
      attempts: [{ backup_code: 'aaaaa-bbbbb-ccccc' }, { ok: true }],
      req: { headers: { 'set-cookie': 's', 'x-twilio-signature': 'sig' } },
    };
    expect(censorSecrets(input)).toEqual({
      password: CENSORED,
      user: { email: 'a@example.test', Code: CENSORED },
      headers: { cookie: CENSORED, Authorization: CENSORED, accept: 'json' },
      attempts: [{ backup_code: CENSORED }, { ok: true }],
      req: { headers: { 'set-cookie': CENSORED, 'x-twilio-signature': CENSORED } },
    });
  });

  it('never changes the caller’s object, and returns it as is when nothing is secret', () => {
    const nested = { token: 't0k3n' };
    const input = { event: '2fa.verified', nested };
    const output = censorSecrets(input);
    expect(nested.token).toBe('t0k3n');
    expect(output.nested).not.toBe(nested);
    const clean = { event: 'auth.login', user_id: 'u1', aal: 2, at: new Date(0) };
    expect(censorSecrets(clean)).toBe(clean);
  });

  it('leaves class instances to their allow-list serializers', () => {
    const error = Object.assign(new Error('boom'), { code: 'E_X' });
    const output = censorSecrets({ err: error });
    expect(output.err).toBe(error);
  });
});

describe('the logger', () => {
  it('censors secrets in log lines and in child bindings, and keeps everything else', () => {
    const { logger, lines } = capturingLogger();
    logger.child({ request_id: 'r1', body: { password: 'p' } }).info({ temp_token: 'tt', outcome: 'ok', detail: { secret: 's' } }, 'hello');
    expect(lines).toHaveLength(1);
    const line = lines[0]!;
    expect(line).toMatchObject({ request_id: 'r1', body: CENSORED, temp_token: CENSORED, outcome: 'ok', detail: { secret: CENSORED }, msg: 'hello' });
    const dump = JSON.stringify(lines);
    for (const secret of ['"p"', '"tt"', '"s"']) expect(dump).not.toContain(secret);
  });
});
