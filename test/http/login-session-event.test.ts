import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { securityEvents, sessions } from '../../src/server/db/schema';
import { registerAndLogin, startTestServer, STRONG_PASSWORD, uniqueEmail, type TestServer } from '../support/test-server';

/**
 * A password sign-in stores its session and its auth.login.succeeded event in one statement
 * (auth/session-opening.ts): both or neither, the event exactly once, with the request's facts.
 */

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

const rowsOf = (userId: string) => {
  const { db } = server.proofgate.database;
  return Promise.all([
    db.select().from(sessions).where(eq(sessions.userId, userId)),
    db
      .select()
      .from(securityEvents)
      .where(and(eq(securityEvents.userId, userId), eq(securityEvents.type, 'auth.login.succeeded'))),
  ]);
};

describe('a password sign-in writes its session and its event together', () => {
  it('one session and exactly one auth.login.succeeded event per sign-in, with the IP, user agent and request id', async () => {
    const email = uniqueEmail('opening');
    const { userId } = await registerAndLogin(server, email);
    const login = await server.client().post(
      '/api/auth/login',
      { email, password: STRONG_PASSWORD },
      { headers: { 'user-agent': 'opening-test/1.0', 'x-request-id': 'opening-test-request-1' } },
    );
    expect(login.status).toBe(200);
    const [sessionRows, events] = await rowsOf(userId);
    expect(sessionRows).toHaveLength(2);
    expect(events).toHaveLength(2);
    const latest = events.find((event) => event.requestId === 'opening-test-request-1');
    expect(latest).toMatchObject({ ip: '127.0.0.1', userAgent: 'opening-test/1.0', details: { aal: 1 } });
    expect(sessionRows.some((session) => session.userAgent === 'opening-test/1.0' && session.aal === 1)).toBe(true);
  });

  it('writes neither the session nor the event once the credential epoch has moved, and both while it has not', async () => {
    const { userId } = await registerAndLogin(server, uniqueEmail('opening-race'));
    const { services } = server.proofgate;
    const user = (await services.users.findById(userId))!;
    const origin = { ip: '203.0.113.9', userAgent: 'race-test', requestId: 'race-request' };
    const events = () => services.audit.toRows([{ type: 'auth.login.succeeded', userId, origin, details: { aal: 1 } }]);
    const [sessionsBefore, eventsBefore] = await rowsOf(userId);

    const stale = await services.sessions.issueWithEvents({ id: userId, credentialEpoch: user.credentialEpoch - 1 }, 1, origin, events());
    expect(stale).toBeUndefined();
    const [sessionsAfterStale, eventsAfterStale] = await rowsOf(userId);
    expect(sessionsAfterStale).toHaveLength(sessionsBefore.length);
    expect(eventsAfterStale).toHaveLength(eventsBefore.length);

    const issued = await services.sessions.issueWithEvents({ id: userId, credentialEpoch: user.credentialEpoch }, 1, origin, events());
    expect(issued?.session.userId).toBe(userId);
    const [sessionsAfter, eventsAfter] = await rowsOf(userId);
    expect(sessionsAfter.map((session) => session.id)).toContain(issued!.session.id);
    expect(eventsAfter).toHaveLength(eventsBefore.length + 1);
    expect(eventsAfter.find((event) => event.requestId === 'race-request')).toMatchObject({ ip: '203.0.113.9', userAgent: 'race-test' });
    // The token the caller hands the browser is the one stored (as its hash).
    expect((await services.sessions.resolve(issued!.token))?.user.id).toBe(userId);
  });
});
