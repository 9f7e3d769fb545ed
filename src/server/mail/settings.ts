import { createHash } from 'node:crypto';
import { z } from 'zod';
import { emptyToUndefined, integer } from '../settings/fields';

/**
 * Email settings. A missing SMTP_URL or MAIL_FROM does not stop the server (mail is "not
 * configured": nothing is sent, System status says what to set); a malformed one does, naming
 * the variable, so a typo is found at deploy time. The value rules are the shared ones of
 * settings/fields.ts.
 */

// "Name <address>" or a bare address; no line breaks (they would inject headers).
const MAIL_FROM_PATTERN = /^(?:[^<>\r\n]{0,100}<[^\s<>@]+@[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+)$/;

export const mailEnvShape = {
  SMTP_URL: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .refine((v) => /^smtps?:\/\//.test(v) && URL.canParse(v) && new URL(v).hostname !== '', {
        error: 'must be an smtp:// or smtps:// URL such as smtps://user:password@smtp.example.com:465 (percent-encode special characters)',
      })
      .optional(),
  ),
  MAIL_FROM: z.preprocess(
    emptyToUndefined,
    z.string().max(200).regex(MAIL_FROM_PATTERN, { error: 'must be an address such as "Proofgate <no-reply@example.com>"' }).optional(),
  ),
  PASSWORD_RESET_TTL: integer(1800, 60, 24 * 3600),
  PASSWORD_FORGOT_IP_MAX_PER_HOUR: integer(20, 1, 100_000),
  PASSWORD_FORGOT_EMAIL_MAX_PER_HOUR: integer(5, 1, 1000),
  SMTP_TIMEOUT_MS: integer(10_000, 100, 120_000),
};

export interface MailConfig {
  smtpUrl: string | undefined;
  from: string | undefined;
  timeoutMs: number;
  resetTtlSeconds: number;
  forgotIpMaxPerHour: number;
  forgotEmailMaxPerHour: number;
}

type MailEnv = z.infer<z.ZodObject<typeof mailEnvShape>>;

export function mailConfigFrom(env: MailEnv): MailConfig {
  return {
    smtpUrl: env.SMTP_URL,
    from: env.MAIL_FROM,
    timeoutMs: env.SMTP_TIMEOUT_MS,
    resetTtlSeconds: env.PASSWORD_RESET_TTL,
    forgotIpMaxPerHour: env.PASSWORD_FORGOT_IP_MAX_PER_HOUR,
    forgotEmailMaxPerHour: env.PASSWORD_FORGOT_EMAIL_MAX_PER_HOUR,
  };
}

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
