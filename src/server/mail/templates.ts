import type { RenderedMail } from './transport';

/**
 * Every message Proofgate sends. Plain text plus simple HTML; no images, no tracking pixels,
 * no links except the reset link (the only message that needs one). Never a code, password or
 * token: a notice says what happened, when and from where, and what to do if it was not you.
 */
export const noticeKinds = [
  'two_factor_enabled',
  'two_factor_disabled',
  'backup_codes_regenerated',
  'password_changed',
  'password_reset',
  'passkey_added',
  'passkey_removed',
  'new_device_sign_in',
  'account_locked',
] as const;

export type NoticeKind = (typeof noticeKinds)[number];
export type MailKind = NoticeKind | 'password_reset_link';

export interface NoticeContext {
  at: Date;
  ip?: string | undefined;
  userAgent?: string | undefined;
}

const NOTICES: Record<NoticeKind, { subject: string; lead: string; ifNotYou: string }> = {
  two_factor_enabled: {
    subject: 'Two-factor authentication was turned on',
    lead: 'Two-factor authentication was turned on for your account.',
    ifNotYou: 'If this was not you, someone has your password: reset it now and contact your administrator.',
  },
  two_factor_disabled: {
    subject: 'Two-factor authentication was turned off',
    lead: 'Two-factor authentication was turned off for your account. Signing in now needs only your password.',
    ifNotYou: 'If this was not you, reset your password now, turn two-factor authentication back on and contact your administrator.',
  },
  backup_codes_regenerated: {
    subject: 'New backup codes were created',
    lead: 'New backup codes were created for your account. The old codes no longer work.',
    ifNotYou: 'If this was not you, reset your password now and contact your administrator.',
  },
  password_changed: {
    subject: 'Your password was changed',
    lead: 'The password of your account was changed. Every other signed-in device was signed out.',
    ifNotYou: 'If this was not you, use "Forgot password?" on the sign-in page to set a new one, and contact your administrator.',
  },
  password_reset: {
    subject: 'Your password was reset',
    lead: 'The password of your account was reset with a link sent to this address. Every signed-in device was signed out.',
    ifNotYou: 'If this was not you, someone can read your email: secure your mailbox, then reset your password again.',
  },
  passkey_added: {
    subject: 'A passkey was added to your account',
    lead: 'A new passkey was added to your account.',
    ifNotYou: 'If this was not you, remove the passkey in your security settings, reset your password and contact your administrator.',
  },
  passkey_removed: {
    subject: 'A passkey was removed from your account',
    lead: 'A passkey was removed from your account.',
    ifNotYou: 'If this was not you, reset your password now and contact your administrator.',
  },
  new_device_sign_in: {
    subject: 'New sign-in to your account',
    lead: 'Your account was signed in to from a device or browser that had not signed in before.',
    ifNotYou: 'If this was not you, reset your password now and turn on two-factor authentication.',
  },
  account_locked: {
    subject: 'Sign-in to your account is temporarily locked',
    lead: 'Too many wrong two-factor codes were entered for your account, so two-factor sign-in is locked for a while.',
    ifNotYou: 'If this was not you, someone has your password: reset it as soon as the lock ends.',
  },
};

const escapeHtml = (value: string) =>
  value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

// Header-safe and bounded: a User-Agent is attacker-chosen text.
const clean = (value: string | undefined, max: number) =>
  [...(value ?? '')]
    .map((c) => (c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f ? ' ' : c))
    .join('')
    .slice(0, max)
    .trim();

function details(context: NoticeContext): Array<[string, string]> {
  const rows: Array<[string, string]> = [['When', `${context.at.toISOString().replace('T', ' ').slice(0, 19)} UTC`]];
  if (context.ip) rows.push(['IP address', clean(context.ip, 64)]);
  if (context.userAgent) rows.push(['Browser', clean(context.userAgent, 160)]);
  return rows;
}

function layout(issuer: string, title: string, paragraphs: string[], rows: Array<[string, string]>, link?: { href: string; label: string }): RenderedMail {
  const text = [
    paragraphs[0]!,
    '',
    ...rows.map(([k, v]) => `${k}: ${v}`),
    ...(link ? ['', `${link.label}:`, link.href] : []),
    '',
    ...paragraphs.slice(1),
    '',
    `— ${issuer}`,
  ].join('\n');
  const html = [
    '<!doctype html><html><body style="font-family:sans-serif;color:#111;max-width:560px">',
    `<h1 style="font-size:18px">${escapeHtml(title)}</h1>`,
    `<p>${escapeHtml(paragraphs[0]!)}</p>`,
    rows.length ? `<table>${rows.map(([k, v]) => `<tr><td style="color:#555;padding-right:12px">${escapeHtml(k)}</td><td>${escapeHtml(v)}</td></tr>`).join('')}</table>` : '',
    link ? `<p><a href="${escapeHtml(link.href)}">${escapeHtml(link.label)}</a></p><p style="color:#555;font-size:12px">${escapeHtml(link.href)}</p>` : '',
    ...paragraphs.slice(1).map((p) => `<p>${escapeHtml(p)}</p>`),
    `<p style="color:#555">— ${escapeHtml(issuer)}</p>`,
    '</body></html>',
  ].join('');
  return { subject: `${clean(issuer, 64)}: ${title}`, text, html };
}

export function renderNotice(kind: NoticeKind, context: NoticeContext, issuer: string): RenderedMail {
  const notice = NOTICES[kind];
  return layout(issuer, notice.subject, [notice.lead, notice.ifNotYou], details(context));
}

export function renderResetLink(input: { link: string; ttlSeconds: number; context: NoticeContext }, issuer: string): RenderedMail {
  const minutes = Math.round(input.ttlSeconds / 60);
  return layout(
    issuer,
    'Reset your password',
    [
      'Someone (hopefully you) asked to reset the password of your account.',
      `The link works once and expires in ${minutes} minutes. Setting a new password signs out every device.`,
      'If you did not ask for this, ignore this message: your password stays as it is.',
    ],
    details(input.context),
    { href: input.link, label: 'Set a new password' },
  );
}
