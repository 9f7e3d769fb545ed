import type { Transporter } from 'nodemailer';

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

export type TransportResult = { ok: true; messageId: string } | { ok: false; errorCode: string; permanent: boolean };

/** Delivery to an SMTP relay (implemented with nodemailer; tests point it at the SMTP fake). */
export interface MailTransport {
  send(to: string, mail: RenderedMail): Promise<TransportResult>;
  /** Connects and authenticates without sending: the control plane's credential check. */
  verify(): Promise<{ ok: true } | { ok: false; errorCode: string }>;
  close(): void;
}

/**
 * A stable, secret-free name for a failure: nodemailer's error code (EAUTH, ECONNECTION,
 * ETIMEDOUT, ...) or the relay's reply code (SMTP_550). Never the message: relays echo
 * addresses and sometimes credentials in it.
 */
export function smtpErrorCode(error: unknown): { errorCode: string; permanent: boolean } {
  const e = error as { code?: unknown; responseCode?: unknown };
  if (typeof e.responseCode === 'number' && e.responseCode >= 400 && e.responseCode < 600) {
    return { errorCode: `SMTP_${e.responseCode}`, permanent: e.responseCode >= 500 && e.code !== 'EAUTH' };
  }
  const code = typeof e.code === 'string' && /^[A-Z_]{2,30}$/.test(e.code) ? e.code : 'SEND_FAILED';
  return { errorCode: code, permanent: false };
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '::1' || hostname === '[::1]' || hostname.startsWith('127.');
}

/**
 * nodemailer is loaded on the first send or check, not at start: a server with mail configured
 * but idle, and every server without SMTP_URL, does not carry it (docs/performance.md, memory).
 */
async function openTransporter(options: { smtpUrl: string; timeoutMs: number; isProduction: boolean }): Promise<Transporter> {
  const { default: nodemailer } = await import('nodemailer');
  const url = new URL(options.smtpUrl);
  return nodemailer.createTransport({
    url: options.smtpUrl,
    connectionTimeout: options.timeoutMs,
    greetingTimeout: options.timeoutMs,
    socketTimeout: options.timeoutMs,
    // Production mail to a remote relay must be encrypted: smtps:// is TLS from the start, and
    // smtp:// must upgrade with STARTTLS or the send fails rather than going out in clear.
    requireTLS: options.isProduction && url.protocol === 'smtp:' && !isLoopback(url.hostname),
    logger: false,
    debug: false,
  } as Parameters<typeof nodemailer.createTransport>[0]);
}

export function createSmtpTransport(options: { smtpUrl: string; from: string; timeoutMs: number; isProduction: boolean }): MailTransport {
  let opened: Promise<Transporter> | undefined;
  const transporter = () => (opened ??= openTransporter(options));
  return {
    async send(to, mail) {
      try {
        const info = await (await transporter()).sendMail({ from: options.from, to, subject: mail.subject, text: mail.text, html: mail.html });
        return { ok: true, messageId: String(info.messageId ?? '') };
      } catch (error) {
        return { ok: false, ...smtpErrorCode(error) };
      }
    },
    async verify() {
      try {
        await (await transporter()).verify();
        return { ok: true };
      } catch (error) {
        return { ok: false, errorCode: smtpErrorCode(error).errorCode };
      }
    },
    close() {
      void opened?.then((t) => t.close(), () => undefined);
    },
  };
}
