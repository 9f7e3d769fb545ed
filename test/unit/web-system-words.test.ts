import { describe, expect, it } from 'vitest';
import { formatDateTime } from '../../src/web/lib/format';
import { checkName, commandsIn, humanizeDates, verdictOf } from '../../src/web/features/ops/system-words';

describe('system status in words', () => {
  it('names every check the server reports in words, and humanises an unknown one', () => {
    expect(checkName('limiter_persistence')).toBe('Throttling counters survive restarts');
    expect(checkName('migrations')).toBe('Database schema up to date');
    expect(checkName('some_new_check')).toBe('Some new check');
  });

  it('one verdict word for badge and headline, unknown states read as needing attention', () => {
    expect(verdictOf('ok').label).toBe('Ready');
    expect(verdictOf('degraded').text.startsWith(verdictOf('degraded').label)).toBe(true);
    expect(verdictOf('blocked').text.startsWith('Blocked')).toBe(true);
    expect(verdictOf('weird').label).toBe('Needs attention');
  });

  it('finds the commands inside a fix, so each gets a copy button', () => {
    expect(commandsIn('Set APP_ENC_KEY (openssl rand -base64 32) with the generated key in APP_ENC_KEYS_OLD, restart, then run npm run cli -- keys:rotate')).toEqual([
      'openssl rand -base64 32',
      'npm run cli -- keys:rotate',
    ]);
    expect(commandsIn('or remove the role: npm run cli -- user:revoke-admin --email <email>')).toEqual(['npm run cli -- user:revoke-admin --email <email>']);
    expect(commandsIn('Check the database (GET /readyz)')).toEqual(['GET /readyz']);
    expect(commandsIn('Restart Proofgate')).toEqual([]);
  });

  it('writes timestamps inside a check\'s sentence in the one date format', () => {
    const iso = '2026-11-30T04:29:11.502Z';
    expect(humanizeDates(`connected (checked ${iso}); SMS allowed to US`)).toBe(`connected (checked ${formatDateTime(iso)}); SMS allowed to US`);
    expect(humanizeDates('all applied')).toBe('all applied');
  });
});
