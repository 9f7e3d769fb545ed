import { securityEventTypes, type SecurityEventType } from '../../common/security-event-types';
import type { SecurityEvent } from './api-types';

export type EventTone = 'neutral' | 'success' | 'warning' | 'danger';

function factorName(method: unknown): string {
  if (method === 'passkey') return 'a passkey';
  if (method === 'remembered_device') return 'a remembered browser';
  return method === 'backup_code' ? 'a backup code' : 'an authenticator code';
}

function isKnownEventType(type: string): type is SecurityEventType {
  return (securityEventTypes as readonly string[]).includes(type);
}

type EventWords = { label: string; tone: EventTone };

/** The event types whose words depend on the event's details (the method, the reason, a count). */
type DetailedEventType =
  | 'auth.login.succeeded'
  | '2fa.enabled'
  | '2fa.disabled'
  | '2fa.verify.succeeded'
  | '2fa.verify.failed'
  | '2fa.backup_code_used'
  | 'sessions.revoked'
  | 'sessions.device_remembered'
  | 'alerts.sms_test'
  | 'alerts.sms_alert';

/** Every other type always reads the same. A Record, so a type left out of both lists fails the typecheck. */
const FIXED_WORDS: Record<Exclude<SecurityEventType, DetailedEventType>, EventWords> = {
  'auth.registered': { label: 'Account created', tone: 'neutral' },
  'auth.login.failed': { label: 'Sign-in failed: wrong password', tone: 'warning' },
  'auth.logout': { label: 'Signed out', tone: 'neutral' },
  'auth.reauthenticated': { label: 'Password confirmed', tone: 'neutral' },
  'auth.reauthentication.failed': { label: 'Password confirmation failed', tone: 'warning' },
  'auth.password_changed': { label: 'Password changed', tone: 'warning' },
  'auth.password_change.failed': { label: 'Password change refused: wrong current password', tone: 'warning' },
  '2fa.setup_started': { label: 'Two-factor setup started', tone: 'neutral' },
  '2fa.backup_codes_regenerated': { label: 'New backup codes generated', tone: 'neutral' },
  '2fa.temp_token_invalidated': { label: 'Sign-in attempt cancelled after too many wrong codes', tone: 'danger' },
  'passkeys.registered': { label: 'Passkey added', tone: 'success' },
  'passkeys.registration.failed': { label: 'Passkey not added: the response could not be verified', tone: 'warning' },
  'passkeys.renamed': { label: 'Passkey renamed', tone: 'neutral' },
  'passkeys.removed': { label: 'Passkey removed', tone: 'warning' },
  'passkeys.counter_regressed': { label: 'Passkey refused: its counter went backwards (possible copy)', tone: 'danger' },
  'sessions.revoked_others': { label: 'Signed out everywhere else', tone: 'warning' },
  'sessions.remembered_device_revoked': { label: 'Remembered browser forgotten', tone: 'warning' },
  'limits.lockout': { label: 'Two-factor locked after too many wrong codes', tone: 'danger' },
  'limits.rate_limited': { label: 'Too many attempts: temporarily blocked', tone: 'danger' },
  'keys.rotated': { label: 'Encryption key rotated', tone: 'neutral' },
  'admin.user_created': { label: 'Account created by an administrator', tone: 'neutral' },
  'admin.user_promoted': { label: 'Made an administrator', tone: 'warning' },
  'admin.role_granted': { label: 'Made an administrator', tone: 'warning' },
  'admin.role_revoked': { label: 'Administrator rights removed', tone: 'warning' },
  'admin.2fa_reset': { label: 'Two-factor reset by an administrator', tone: 'danger' },
};

function isDetailedEventType(type: SecurityEventType): type is DetailedEventType {
  return !Object.hasOwn(FIXED_WORDS, type);
}

/**
 * Human words for each security event type the API records: the shared list
 * (src/common/security-event-types.ts) is covered by FIXED_WORDS and the exhaustive switch below,
 * so a type without words fails the typecheck; a type this build does not know (rows written by a
 * newer server) shows as recorded.
 */
export function describeSecurityEvent(event: SecurityEvent): EventWords {
  if (!isKnownEventType(event.type)) return { label: event.type, tone: 'neutral' };
  return isDetailedEventType(event.type) ? describeDetailedEvent(event.type, event.details) : FIXED_WORDS[event.type];
}

function describeDetailedEvent(type: DetailedEventType, d: SecurityEvent['details']): EventWords {
  switch (type) {
    case 'auth.login.succeeded':
      if (d.reason === 'second_factor_required') return { label: 'Password accepted, second factor asked', tone: 'neutral' };
      if (d.via === 'passwordless') return { label: 'Signed in with a passkey (no password)', tone: 'success' };
      return d.aal === 2
        ? { label: `Signed in with password and ${factorName(d.method)}`, tone: 'success' }
        : { label: 'Signed in with password', tone: 'success' };
    case '2fa.enabled':
      return d.method === 'passkey'
        ? { label: 'Two-factor authentication turned on with a passkey', tone: 'success' }
        : { label: 'Two-factor authentication turned on', tone: 'success' };
    case '2fa.disabled':
      if (d.reason === 'totp_removed') return { label: 'Authenticator app removed (passkeys still protect the account)', tone: 'warning' };
      if (d.reason === 'last_passkey_removed') return { label: 'Two-factor authentication turned off: last passkey removed', tone: 'warning' };
      return { label: 'Two-factor authentication turned off', tone: 'warning' };
    case '2fa.verify.succeeded':
      return { label: `Second factor accepted (${factorName(d.method)})`, tone: 'success' };
    case '2fa.verify.failed':
      if (d.method === 'passkey') return { label: 'Passkey sign-in refused', tone: 'warning' };
      if (d.reason === 'replaced_code') return { label: 'Second factor refused: backup code from a replaced set', tone: 'warning' };
      return d.reason === 'replayed'
        ? { label: 'Second factor refused: code already used', tone: 'warning' }
        : { label: `Second factor refused: wrong ${d.method === 'backup_code' ? 'backup code' : 'authenticator code'}`, tone: 'warning' };
    case '2fa.backup_code_used':
      return { label: typeof d.remaining === 'number' ? `Backup code used (${d.remaining} left)` : 'Backup code used', tone: 'warning' };
    case 'sessions.revoked':
      return d.via === 'current' ? { label: 'Signed out this session', tone: 'neutral' } : { label: 'Signed out another session', tone: 'warning' };
    case 'sessions.device_remembered':
      return { label: typeof d.days === 'number' ? `Browser remembered for ${d.days} days` : 'Browser remembered', tone: 'neutral' };
    case 'alerts.sms_test':
      if (d.status === 'success') return { label: 'Test SMS sent', tone: 'neutral' };
      return { label: d.reason ? 'Test SMS refused: destination not allowed' : 'Test SMS not sent', tone: 'warning' };
    case 'alerts.sms_alert':
      if (d.status === 'success') return { label: 'SMS alert sent by the host application', tone: 'neutral' };
      return { label: 'SMS alert from the host application not sent', tone: 'warning' };
    default: {
      const unlabelled: never = type;
      return { label: unlabelled, tone: 'neutral' };
    }
  }
}
