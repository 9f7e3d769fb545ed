import { userGrantAdmin } from '../../../src/server/cli/user-commands';
import { jsonObject } from '../checks/http';
import type { ProofServer } from '../servers';
import { FlowStop, get, post, type FlowContext, type ProofUser } from './context';
import { enableTwoFactor } from './two-factor';

/**
 * ADMIN: a self-registered account is never an admin, whatever address it registered; the
 * operator's CLI command (user:grant-admin, run in-process on the server's own services, so it
 * needs no second process on the embedded database) is what makes one, and it is audited.
 */
export async function runAdminGrant(ctx: FlowContext, server: ProofServer, admin: ProofUser): Promise<void> {
  const s = ctx.evidence.admin;
  s.register = await ctx.recorder.http('admin-01-register', 'Register the future admin like anyone else', post(server, '/api/auth/register', admin.jar, { email: admin.email, password: admin.password }));
  const id = (jsonObject(s.register).user as { id?: unknown } | undefined)?.id;
  if (typeof id === 'string') admin.userId = id;
  s.login = await ctx.recorder.http('admin-02-login', 'Sign in with the self-registered account', post(server, '/api/auth/login', admin.jar, { email: admin.email, password: admin.password }));
  if (s.login.status !== 200) throw new FlowStop(`login answered ${s.login.status}`);
  s.statusBeforeGrant = await ctx.recorder.http('admin-03-status-refused', 'System status from the self-registered account: refused', get(server, '/api/system/status', admin.jar));
  const granted = await userGrantAdmin(server.proofgate.services, ['--email', admin.email]);
  s.cliOutput = granted.output;
  s.roleAfterGrant = await ctx.recorder.sql(
    server.proofgate.database,
    'admin-04-role-and-event',
    'After `npm run cli -- user:grant-admin --email …`: the stored role and the security event it wrote',
    `select u.role, e.type as event, e.details->>'via' as via
  from users u
  left join security_events e on e.user_id = u.id and e.type = 'admin.role_granted'
 where u.id = $1`,
    [admin.userId ?? ''],
  );
  s.statusAfterGrant = await ctx.recorder.http('admin-05-status-allowed', 'System status from the same session once the operator granted admin', get(server, '/api/system/status', admin.jar));
}

/** The admin enrols a second factor, as System status asks (ADMIN_WITHOUT_2FA), before the final status read. */
export async function enrolAdminSecondFactor(ctx: FlowContext, server: ProofServer, admin: ProofUser): Promise<void> {
  await enableTwoFactor(ctx, server, admin, { setup: 'b5-07a-admin-2fa-setup', confirm: 'b5-07b-admin-2fa-confirm' });
}

/** How many logins with the old password are streamed across the password change. */
export const RACE_LOGINS = 30;
/** The change is started once this many of them are on their way. */
const RACE_CHANGE_AFTER = 10;
const RACE_GAP_MS = 5;

/**
 * RACE: an attacker holding the old password signs in again and again while the owner changes
 * it. Every session those logins won must be dead once the change has answered, however late
 * its row was written: probed with /api/auth/me and counted in SQL.
 */
export async function runPasswordChangeRace(ctx: FlowContext, server: ProofServer, owner: ProofUser, newPassword: string): Promise<void> {
  const s = ctx.evidence.race;
  s.register = await ctx.recorder.http('race-01-register', `Register ${owner.label}`, post(server, '/api/auth/register', owner.jar, { email: owner.email, password: owner.password }));
  const id = (jsonObject(s.register).user as { id?: unknown } | undefined)?.id;
  if (typeof id === 'string') owner.userId = id;
  s.ownerLogin = await ctx.recorder.http('race-02-owner-login', 'The owner signs in', post(server, '/api/auth/login', owner.jar, { email: owner.email, password: owner.password }));
  if (s.ownerLogin.status !== 200) throw new FlowStop(`owner login answered ${s.ownerLogin.status}`);

  const logins: Array<Promise<void>> = [];
  let change: Promise<void> | undefined;
  for (let i = 1; i <= RACE_LOGINS; i += 1) {
    if (i === RACE_CHANGE_AFTER + 1) {
      change = ctx.recorder
        .http('race-04-password-change', 'The owner changes the password while the logins stream in', post(server, '/api/auth/password', owner.jar, { current_password: owner.password, new_password: newPassword }))
        .then((exchange) => {
          s.change = exchange;
        });
    }
    const jar = `${owner.jar}-attacker-${i}`;
    const n = String(i).padStart(2, '0');
    logins.push(
      ctx.recorder.http(`race-03-login-${n}`, `Attacker login #${i} with the old password`, post(server, '/api/auth/login', jar, { email: owner.email, password: owner.password })).then((exchange) => {
        s.logins.push({ jar, exchange });
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, RACE_GAP_MS));
  }
  await Promise.all([...logins, change]);
  s.logins.sort((a, b) => a.exchange.id.localeCompare(b.exchange.id));

  for (const { jar, exchange } of s.logins) {
    if (exchange.status !== 200) continue;
    s.probes.push(await ctx.recorder.http(`race-05-${exchange.id.slice('race-03-'.length)}-me`, `/api/auth/me with the session ${exchange.id} won`, get(server, '/api/auth/me', jar)));
  }
  s.liveSessions = await ctx.recorder.sql(
    server.proofgate.database,
    'race-06-live-sessions',
    "The owner's sessions that a lookup would still accept (issued under the account's current credential epoch)",
    `select count(*)::int as live_sessions
  from sessions s
  join users u on u.id = s.user_id and s.credential_epoch = u.credential_epoch
 where u.id = $1`,
    [owner.userId ?? ''],
  );
}
