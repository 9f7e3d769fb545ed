import { getTableColumns } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { securityEvents, sessions } from '../../src/server/db/schema';
import { COMPLETE_LOGIN_SQL, completeLoginParams } from '../../src/server/twofactor/login-completion';

const writtenColumns = (table: typeof sessions | typeof securityEvents) =>
  Object.values(getTableColumns(table))
    .filter((column) => !column.primary)
    .map((column) => column.name);

describe('the one-statement end of the second login step', () => {
  it('writes every column of sessions and security_events but their generated ids, from the table definitions', () => {
    for (const name of [...writtenColumns(sessions), ...writtenColumns(securityEvents)]) {
      expect(COMPLETE_LOGIN_SQL).toContain(`"${name}"`);
    }
  });

  it('numbers one parameter per session column and one array per event column after its own four', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const params = completeLoginParams({
      challengeId: '00000000-0000-4000-8000-000000000001',
      userId: '00000000-0000-4000-8000-000000000002',
      totpStep: 7,
      now,
      session: {
        userId: '00000000-0000-4000-8000-000000000002',
        tokenHash: 'h',
        aal: 2,
        authenticatedAt: now,
        credentialEpoch: 3,
        lastSeenAt: now,
        absoluteExpiresAt: now,
      },
      events: [{ type: '2fa.verify.succeeded', userId: null, details: { method: 'totp' } }],
    });
    expect(params).toHaveLength(4 + writtenColumns(sessions).length + writtenColumns(securityEvents).length);
    const highest = Math.max(...[...COMPLETE_LOGIN_SQL.matchAll(/\$(\d+)/g)].map((match) => Number(match[1])));
    expect(highest).toBe(params.length);
    // A column the row leaves out takes the definition's plain default, or the step's time for created_at.
    expect(params).toContain(false);
    expect(params.filter((param) => param === now).length).toBeGreaterThan(1);
    expect(params).toContainEqual([JSON.stringify({ method: 'totp' })]);
  });
});
