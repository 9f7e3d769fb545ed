import { generateTotpCode } from '../../src/server/twofactor/totp';
import { BENCH_PASSWORD } from '../fixtures/proofgate';
import { cookiePair, expectStatus, postJson } from '../lib/http';
import type { PeerServerName, PreparedScenario, Scenario, ScenarioContext, ScenarioSide, ServerName } from './types';

/**
 * Session checks: what every authenticated request pays. `session` asks each server's own
 * session route; `host-session` asks a host app's own route guarded by each library. Every
 * session comes from a real sign-in over HTTP with a second factor (AAL2 for Proofgate).
 */

/** Proofgate sign-in through HTTP: password, then TOTP; returns the session cookie (AAL2). */
async function proofgateSession(url: string, email: string, secret: string): Promise<string> {
  const login = expectStatus(await postJson(`${url}/api/auth/login`, { email, password: BENCH_PASSWORD }), 200, 'login');
  const verify = expectStatus(
    await postJson(`${url}/api/auth/2fa/verify`, { temp_token: login.body.temp_token, code: generateTotpCode(secret, Date.now()) }),
    200,
    '2fa/verify',
  );
  return cookiePair(verify.setCookies, 'proofgate_session');
}

function timedGets(ctx: ScenarioContext, path: string, cookies: string[], request: string): PreparedScenario {
  const { warmupSeconds, durationSeconds } = ctx.settings.session;
  const requests = cookies.map((cookie) => ({ method: 'GET' as const, path, headers: { cookie } }));
  return {
    request: `${request}, ${cookies.length} sessions round-robin`,
    warmup: { requests, durationSeconds: warmupSeconds },
    measure: { requests, durationSeconds },
  };
}

function proofgateSide(server: ServerName, path: string, what: string): ScenarioSide {
  return {
    server,
    async prepare(ctx) {
      const users = await ctx.proofgate.createTwoFactorUsers(ctx.settings.session.sessions, server === 'Proofgate' ? 'session' : 'host');
      const cookies = [];
      for (const user of users) cookies.push(await proofgateSession(ctx.urls[server], user.email, user.secret));
      return timedGets(ctx, path, cookies, `GET ${path} (${what}; AAL2 session cookie from password + TOTP sign-in)`);
    },
  };
}

function peerSide(server: PeerServerName, path: string, what: string): ScenarioSide {
  const withCache = server === 'better-auth cookieCache';
  return {
    server,
    async prepare(ctx) {
      const peer = ctx.peers[server];
      const users = await peer.createUsers(ctx.settings.session.sessions, 'session', true);
      const cookies = await peer.sessionCookies(users, withCache);
      const sent = withCache ? 'session token + session_data cookies' : 'session token cookie';
      return timedGets(ctx, path, cookies, `GET ${path} (${what}; ${sent} from a two-factor sign-in)`);
    },
  };
}

export const session: Scenario = {
  id: 'session',
  sides: [
    proofgateSide('Proofgate', '/api/auth/me', 'the plain session check'),
    peerSide('better-auth', '/api/auth/get-session', 'defaults'),
    peerSide('better-auth cookieCache', '/api/auth/get-session', 'session.cookieCache enabled, maxAge 300 s'),
  ],
};

export const hostSession: Scenario = {
  id: 'host-session',
  sides: [
    proofgateSide('Proofgate host', '/api/orders', 'host route behind gate.requireSession()'),
    peerSide('better-auth host', '/api/orders', 'host route calling auth.api.getSession, defaults'),
  ],
};
