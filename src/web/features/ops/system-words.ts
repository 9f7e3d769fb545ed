import type { SystemStatus } from '../../lib/api-types';
import { formatDateTime } from '../../lib/format';

/**
 * System status in words a person reads: check names, one verdict wording shared by the badge
 * and the page, and the commands inside a fix (so each can get a copy button).
 */
const checkNames: Record<string, string> = {
  encryption_key: 'Encryption key',
  admin_two_factor: 'Two-factor for administrators',
  stored_secrets: 'Stored two-factor secrets readable',
  migrations: 'Database schema up to date',
  limiter_store: 'Throttling store reachable',
  limiter_persistence: 'Throttling counters survive restarts',
  cookies: 'Session cookies',
  twilio: 'Twilio SMS',
};

export function checkName(key: string): string {
  const known = checkNames[key];
  if (known) return known;
  const words = key.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export interface Verdict {
  /** The badge and the headline say the same word. */
  label: string;
  variant: 'success' | 'warning' | 'destructive';
  text: string;
}

export const verdicts: Record<SystemStatus['status'], Verdict> = {
  ok: { label: 'Ready', variant: 'success', text: 'Ready: everything this server needs for real use is in place.' },
  degraded: {
    label: 'Needs attention',
    variant: 'warning',
    text: 'Needs attention: sign-in and two-factor work, but something below is off or weaker than it should be.',
  },
  blocked: { label: 'Blocked', variant: 'destructive', text: 'Blocked: fix what is listed below before real use.' },
};

export function verdictOf(status: string): Verdict {
  return verdicts[status as SystemStatus['status']] ?? verdicts.degraded;
}

// Commands an operator runs as they are written in a fix: the CLI, key generation, the readiness probe.
const COMMAND = /npm run cli -- [a-z0-9:-]+(?: --[a-z-]+ (?:<[a-z]+>|[^\s;,)]+))*|openssl rand -base64 32|GET \/readyz/g;

/** The runnable commands inside a fix's text, in order, without duplicates. */
export function commandsIn(fix: string): string[] {
  return [...new Set(fix.match(COMMAND) ?? [])];
}

const ISO_TIMESTAMP = /\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:\d\d)/g;

/** Timestamps inside a check's sentence in the page's one date format, like every other date. */
export function humanizeDates(text: string): string {
  return text.replace(ISO_TIMESTAMP, (iso) => formatDateTime(iso));
}
