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

/**
 * Human words for each security event type the API records. The switch is exhaustive over the
 * shared list (src/common/security-event-types.ts), so a type without a label fails the typecheck;
 * a type this build does not know (rows written by a newer server) shows as recorded.
 */
export function describeSecurityEvent(event: SecurityEvent): { label: string; tone: EventTone } {
  if (!isKnownEventType(event.type)) return { label: event.type, tone: 'neutral' };
  return describeKnownEvent(event.type, event.details);
}

function describeKnownEvent(type: SecurityEventType, d: SecurityEvent['details']): { label: string; tone: EventTone } {
  switch (type) {
    case 'auth.registered':
      return { label: 'Account created', tone: 'neutral' };
    case 'auth.login.succeeded':
      if (d.reason === 'second_factor_required') return { label: 'Password accepted, second factor asked', tone: 'neutral' };
      if (d.via === 'passwordless') return { label: 'Signed in with a passkey (no password)', tone: 'success' };
      return d.aal === 2
        ? { label: `Signed in with password and ${factorName(d.method)}`, tone: 'success' }
        : { label: 'Signed in with password', tone: 'success' };
    case 'auth.login.failed':
      return { label: 'Sign-in failed: wrong password', tone: 'warning' };
    case 'auth.logout':
      return { label: 'Signed out', tone: 'neutral' };
    case 'auth.reauthenticated':
      return { label: 'Password confirmed', tone: 'neutral' };
    case 'auth.reauthentication.failed':
      return { label: 'Password confirmation failed', tone: 'warning' };
    case 'auth.password_changed':
      return { label: 'Password changed', tone: 'warning' };
    case 'auth.password_change.failed':
      return { label: 'Password change refused: wrong current password', tone: 'warning' };
    case '2fa.setup_started':
      return { label: 'Two-factor setup started', tone: 'neutral' };
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
      return {
        label: typeof d.remaining === 'number' ? `Backup code used (${d.remaining} left)` : 'Backup code used',
        tone: 'warning',
      };
    case '2fa.backup_codes_regenerated':
      return { label: 'New backup codes generated', tone: 'neutral' };
    case '2fa.temp_token_invalidated':
      return { label: 'Sign-in attempt cancelled after too many wrong codes', tone: 'danger' };
    case 'passkeys.registered':
      return { label: 'Passkey added', tone: 'success' };
    case 'passkeys.registration.failed':
      return { label: 'Passkey not added: the response could not be verified', tone: 'warning' };
    case 'passkeys.renamed':
      return { label: 'Passkey renamed', tone: 'neutral' };
    case 'passkeys.removed':
      return { label: 'Passkey removed', tone: 'warning' };
    case 'passkeys.counter_regressed':
      return { label: 'Passkey refused: its counter went backwards (possible copy)', tone: 'danger' };
    case 'sessions.revoked':
      return d.via === 'current' ? { label: 'Signed out this session', tone: 'neutral' } : { label: 'Signed out another session', tone: 'warning' };
    case 'sessions.revoked_others':
      return { label: 'Signed out everywhere else', tone: 'warning' };
    case 'sessions.device_remembered':
      return {
        label: typeof d.days === 'number' ? `Browser remembered for ${d.days} days` : 'Browser remembered',
        tone: 'neutral',
      };
    case 'sessions.remembered_device_revoked':
      return { label: 'Remembered browser forgotten', tone: 'warning' };
    case 'limits.lockout':
      return { label: 'Two-factor locked after too many wrong codes', tone: 'danger' };
    case 'limits.rate_limited':
      return { label: 'Too many attempts: temporarily blocked', tone: 'danger' };
    case 'keys.rotated':
      return { label: 'Encryption key rotated', tone: 'neutral' };
    case 'admin.user_created':
      return { label: 'Account created by an administrator', tone: 'neutral' };
    case 'admin.user_promoted':
    case 'admin.role_granted':
      return { label: 'Made an administrator', tone: 'warning' };
    case 'admin.role_revoked':
      return { label: 'Administrator rights removed', tone: 'warning' };
    case 'admin.2fa_reset':
      return { label: 'Two-factor reset by an administrator', tone: 'danger' };
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
