import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerAndLogin, startTestServer, STRONG_PASSWORD, uniqueEmail, type TestServer } from '../support/test-server';
import { createHash } from 'node:crypto';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { SESSION_IDLE_SECONDS: '600', SESSION_ABSOLUTE_SECONDS: '3600' } });
});
afterAll(async () => {
  await server?.close();
});

describe('session expiry (fake clock)', () => {
  it('expires after the idle timeout and the row is deleted', async () => {
    const { client, userId } = await registerAndLogin(server);
    server.clock.advanceSeconds(599);
    expect((await client.get('/api/auth/me')).status).toBe(200);
    server.clock.advanceSeconds(601);
    const response = await client.get('/api/auth/me');
    expect(response.status).toBe(401);
    const rows = await server.proofgate.database.query('select id from sessions where user_id = $1', [userId]);
    expect(rows).toHaveLength(0);
  });

  it('activity keeps the session alive, but never past the absolute lifetime', async () => {
    const { client } = await registerAndLogin(server);
    for (let elapsed = 0; elapsed < 3500; elapsed += 500) {
      server.clock.advanceSeconds(500);
      expect((await client.get('/api/auth/me')).status).toBe(200);
    }
    server.clock.advanceSeconds(101);
    expect((await client.get('/api/auth/me')).status).toBe(401);
  });
});

describe('what the database holds', () => {
  it('stores only the SHA-256 of the session token and only an argon2id hash of the password', async () => {
    const email = uniqueEmail('storage');
    const { client, userId } = await registerAndLogin(server, email);
    const token = client.cookies.get('proofgate_session')!;
    const sessions = await server.proofgate.database.query<Record<string, unknown>>(
      'select * from sessions where user_id = $1',
      [userId],
    );
    expect(sessions).toHaveLength(1);
    const sessionDump = JSON.stringify(sessions);
    expect(sessionDump).not.toContain(token);
    expect(sessions[0]!.token_hash).toBe(createHash('sha256').update(token).digest('hex'));
    expect(sessions[0]!.aal).toBe(1);
    expect(sessions[0]!.ip).toBe('127.0.0.1');

    const users = await server.proofgate.database.query<{ password_hash: string }>('select * from users where id = $1', [userId]);
    const userDump = JSON.stringify(users);
    expect(userDump).not.toContain(STRONG_PASSWORD);
    expect(users[0]!.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });
});
