import { jsonObject } from '../checks/http';
import type { ProofServer } from '../servers';
import { get, post, requireOk, type FlowContext, type ProofUser } from './context';
import { registerAndLogin } from './two-factor';

/**
 * SESSIONS: one user signed in from two browsers (two cookie jars) lists its sessions, ends the
 * other browser's session by its listed id, and that browser is refused on its next request.
 */
export async function runSessionsListAndRevoke(ctx: FlowContext, server: ProofServer, user: ProofUser): Promise<void> {
  const s = ctx.evidence.sessions;
  const laptopJar = `${user.jar}-laptop`;
  const { register, login } = await registerAndLogin(ctx, server, user, { register: 'sessions-01-register', login: 'sessions-02-login' });
  s.register = register;
  s.login = login;
  s.laptopLogin = await ctx.recorder.http(
    'sessions-03-second-browser',
    `Sign ${user.label} in from a second browser (another cookie jar)`,
    post(server, '/api/auth/login', laptopJar, { email: user.email, password: user.password }),
  );
  requireOk(s.laptopLogin.status === 200, `the second browser's login answered ${s.laptopLogin.status}`);
  s.list = await ctx.recorder.http('sessions-04-list', 'List the sessions from the first browser', get(server, '/api/auth/sessions', user.jar));
  const sessions = jsonObject(s.list).sessions;
  const other = Array.isArray(sessions) ? (sessions as Array<{ id?: unknown; current?: unknown }>).find((x) => x.current === false) : undefined;
  requireOk(typeof other?.id === 'string', `the list answered ${s.list.status} without another session`);
  s.revoke = await ctx.recorder.http('sessions-05-revoke', "End the second browser's session by its listed id", {
    baseUrl: server.url,
    method: 'DELETE',
    path: `/api/auth/sessions/${String(other!.id)}`,
    jar: user.jar,
  });
  s.laptopMeAfter = await ctx.recorder.http('sessions-06-second-browser-refused', 'The second browser asks who it is', get(server, '/api/auth/me', laptopJar));
  s.listAfter = await ctx.recorder.http('sessions-07-list-after', 'List the sessions again', get(server, '/api/auth/sessions', user.jar));
}
