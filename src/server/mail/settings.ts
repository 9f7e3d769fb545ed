import { createHash } from 'node:crypto';
import type { Config } from '../config';

/** The SMTP settings as Config holds them (their value rules are in settings/fields.ts). */
export type MailConfig = Config['mail'];

export type SmtpSettingsResolution =
  | { configured: true; smtpUrl: string; from: string; problems: [] }
  | { configured: false; smtpUrl: undefined; from: undefined; problems: string[] };

/** Whether mail can be sent, and if not, which variables are missing (never their values). */
export function resolveSmtpSettings(config: MailConfig): SmtpSettingsResolution {
  const problems: string[] = [];
  if (!config.smtpUrl) problems.push('SMTP_URL is not set');
  if (!config.from) problems.push('MAIL_FROM is not set');
  if (config.smtpUrl && config.from) return { configured: true, smtpUrl: config.smtpUrl, from: config.from, problems: [] };
  return { configured: false, smtpUrl: undefined, from: undefined, problems };
}

/** Names the relay and account a credential check was made with, without the password. */
export function smtpFingerprint(smtpUrl: string): string {
  const url = new URL(smtpUrl);
  const password = createHash('sha256').update(`proofgate smtp\u0000${decodeURIComponent(url.password)}`).digest('hex');
  return createHash('sha256')
    .update(`proofgate smtp fingerprint\u0000${url.protocol}\u0000${url.host}\u0000${decodeURIComponent(url.username)}\u0000${password}`)
    .digest('hex')
    .slice(0, 32);
}

/** "smtps://mail.example.com:465": what status and logs may say about the relay. */
export function describeRelay(smtpUrl: string): string {
  const url = new URL(smtpUrl);
  return `${url.protocol}//${url.host}`;
}
