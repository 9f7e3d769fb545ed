import type { FakeMail } from './server';

const escapeHtml = (value: string) =>
  value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const STYLE = 'body{font-family:sans-serif;max-width:860px;margin:24px auto;padding:0 16px}td,th{padding:4px 10px;text-align:left;border-bottom:1px solid #ddd}pre{white-space:pre-wrap;background:#f6f6f6;padding:12px}';

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>${body}</body></html>`;
}

/** The mailbox: newest first, each subject linking to the message. */
export function mailboxPage(messages: readonly FakeMail[]): string {
  const rows = [...messages]
    .reverse()
    .map((m) => `<tr><td>${escapeHtml(m.receivedAt)}</td><td>${escapeHtml(m.to)}</td><td><a href="/messages/${m.id}">${escapeHtml(m.subject || '(no subject)')}</a></td></tr>`)
    .join('');
  return page(
    'SMTP fake: mailbox',
    `<h1>SMTP fake: mailbox</h1><p>${messages.length} message(s). JSON: <a href="/messages">/messages</a></p>` +
      `<table><thead><tr><th>Received</th><th>To</th><th>Subject</th></tr></thead><tbody>${rows}</tbody></table>`,
  );
}

/** One message: headers, its HTML part (sandboxed, links open on click), its text part. */
export function messagePage(message: FakeMail): string {
  return page(
    message.subject,
    `<p><a href="/">← Mailbox</a></p><h1>${escapeHtml(message.subject)}</h1>` +
      `<p>From: ${escapeHtml(message.from)}<br>To: ${escapeHtml(message.to)}<br>Received: ${escapeHtml(message.receivedAt)}</p>` +
      `<p><a href="/messages/${message.id}/html" id="open-html">Open the HTML part</a> · <a href="/messages/${message.id}/raw">Raw source</a></p>` +
      `<h2>Text part</h2><pre>${escapeHtml(message.text)}</pre>`,
  );
}
