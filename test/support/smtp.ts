import { startSmtpFake, type FakeMail, type SmtpFake } from '../../tools/smtp-fake';
import type { TestServer } from './test-server';

/** SMTP credentials of the fake: the password doubles as a canary that must never reach a log, row or mail. */
export const FAKE_SMTP_USER = 'proofgate-test';
export const FAKE_SMTP_PASSWORD = 'canary-smtp-password-71c4e2';
export const TEST_PUBLIC_URL = 'http://proofgate.test';

export function startSmtp(): Promise<SmtpFake> {
  return startSmtpFake({ user: FAKE_SMTP_USER, password: FAKE_SMTP_PASSWORD });
}

/** SMTP_URL / MAIL_FROM pointing nodemailer at the fake, and the PUBLIC_URL reset links are built on. */
export function smtpEnv(fake: SmtpFake, overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return { SMTP_URL: fake.smtpUrl, MAIL_FROM: 'Proofgate <no-reply@proofgate.test>', PUBLIC_URL: TEST_PUBLIC_URL, ...overrides };
}

/**
 * Everything the server has queued so far, delivered: waits for work started after an answer
 * (reset requests, new-device notices), then runs one outbox pass. No sleeping: each step is awaited.
 */
export async function flushMail(server: TestServer): Promise<void> {
  const { services } = server.proofgate;
  await services.passwordResets.settled();
  await services.mail.notices.settled();
  await services.mail.outbox.drain();
}

/** Messages to `email`, oldest first, after flushing the outbox. */
export async function mailTo(server: TestServer, fake: SmtpFake, email: string): Promise<FakeMail[]> {
  await flushMail(server);
  return fake.messages().filter((m) => m.envelopeTo.includes(email));
}

/** The token of the newest reset link sent to `email`. */
export async function resetTokenFor(server: TestServer, fake: SmtpFake, email: string): Promise<string> {
  const resets = (await mailTo(server, fake, email)).filter((m) => m.subject.includes('Reset your password'));
  const match = /\/reset-password#token=([A-Za-z0-9_-]{43})/.exec(resets.at(-1)?.text ?? '');
  if (!match) throw new Error(`no reset link was mailed to ${email}`);
  return match[1]!;
}
