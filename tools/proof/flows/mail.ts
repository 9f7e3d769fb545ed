import type { SmtpFake } from '../../smtp-fake';
import { jsonObject } from '../checks/http';
import type { MailboxMessage } from '../checks/mail';
import type { ProofServer } from '../servers';
import { FlowStop, post, type FlowContext, type ProofUser } from './context';

/**
 * Delivers what the servers have queued: waits for the work each started after answering (reset
 * requests, new-device notices), then runs one pass of every outbox at once. Servers sharing a
 * database share its outbox: any one's background worker may claim a message another queued, so
 * each drain also waits for its own worker's pass in progress. The same calls the servers' own
 * workers make every few seconds; run in-process so the proof need not wait for the timer.
 */
export async function flushMail(servers: readonly ProofServer[]): Promise<void> {
  await Promise.all(servers.map((server) => server.proofgate.services.passwordResets.settled()));
  await Promise.all(servers.map((server) => server.proofgate.services.mail.notices.settled()));
  await Promise.all(servers.map((server) => server.proofgate.services.mail.outbox.drain()));
}

/**
 * MAIL-RESET: "forgot password" for an existing and an unknown email, the link from the SMTP
 * fake's mailbox, the reset over curl, and the stored token in SQL.
 */
export async function runPasswordReset(
  ctx: FlowContext,
  server: ProofServer,
  owner: ProofUser,
  newPassword: string,
  options: { fake: SmtpFake; unknownEmail: string; /** Every server on this database: any one's worker may send the link. */ outboxServers: readonly ProofServer[] },
): Promise<void> {
  const s = ctx.evidence.mail;
  s.knownEmail = owner.email;
  s.unknownEmail = options.unknownEmail;
  s.register = await ctx.recorder.http('mail-01-register', `Register ${owner.label}`, post(server, '/api/auth/register', owner.jar, { email: owner.email, password: owner.password }));
  const id = (jsonObject(s.register).user as { id?: unknown } | undefined)?.id;
  if (typeof id === 'string') owner.userId = id;
  s.forgotKnown = await ctx.recorder.http('mail-02-forgot-existing', 'Forgot password for the existing account', post(server, '/api/auth/password/forgot', undefined, { email: owner.email }));
  s.forgotUnknown = await ctx.recorder.http('mail-03-forgot-unknown', 'Forgot password for an address with no account', post(server, '/api/auth/password/forgot', undefined, { email: options.unknownEmail }));
  await flushMail(options.outboxServers);

  const resetMail = options.fake.messages().find((m) => m.envelopeTo.includes(owner.email) && m.subject.includes('Reset your password'));
  const token = resetMail ? /#token=([A-Za-z0-9_-]{43})/.exec(resetMail.text)?.[1] : undefined;
  if (!token) throw new FlowStop('no reset link arrived at the SMTP fake');
  ctx.recorder.secrets.add('reset_token', 'the reset token mailed to the reset user', token);
  ctx.recorder.secrets.add('password', `new password of ${owner.label}`, newPassword);

  s.reset = await ctx.recorder.http('mail-04-reset', 'Set a new password with the token from the mail', post(server, '/api/auth/password/reset', undefined, { token, new_password: newPassword }));
  s.oldLogin = await ctx.recorder.http('mail-05-login-old-password', 'Sign in with the old password', post(server, '/api/auth/login', `${owner.jar}-old`, { email: owner.email, password: owner.password }));
  s.newLogin = await ctx.recorder.http('mail-06-login-new-password', 'Sign in with the new password', post(server, '/api/auth/login', owner.jar, { email: owner.email, password: newPassword }));
  s.reuse = await ctx.recorder.http('mail-07-reset-again', 'The same link a second time', post(server, '/api/auth/password/reset', undefined, { token, new_password: `${newPassword}-again` }));
  s.tokenRow = await ctx.recorder.sql(
    server.proofgate.database,
    'mail-08-stored-token',
    'The stored reset token: only its SHA-256, used once',
    `select token_hash = encode(sha256(convert_to($2, 'UTF8')), 'hex') as hash_matches,
       used_at is not null as used,
       (select count(*) from password_reset_tokens t where t.token_hash = $2)::int as rows_holding_raw_token
  from password_reset_tokens
 where user_id = $1`,
    [owner.userId ?? '', token],
  );
}

/** MAIL-NOTICES: everything the SMTP fake received during the run, once every server's outbox is flushed. */
export async function captureMailbox(ctx: FlowContext, servers: readonly ProofServer[], fake: SmtpFake): Promise<void> {
  await flushMail(servers);
  ctx.evidence.mail.mailbox = fake.messages().map((m): MailboxMessage => ({ to: m.envelopeTo, subject: m.subject, text: m.text, html: m.html, raw: m.raw }));
}
