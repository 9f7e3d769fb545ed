/**
 * Every security event type the audit trail records (src/server/audit/service.ts). Shared with
 * the web UI, whose activity labels switch over this list exhaustively: a new type that has no
 * human label fails the web typecheck.
 */
export const securityEventTypes = [
  'auth.registered',
  'auth.login.succeeded',
  'auth.login.failed',
  'auth.logout',
  'auth.reauthenticated',
  'auth.reauthentication.failed',
  'auth.password_changed',
  'auth.password_change.failed',
  '2fa.setup_started',
  '2fa.enabled',
  '2fa.disabled',
  '2fa.verify.succeeded',
  '2fa.verify.failed',
  '2fa.backup_code_used',
  '2fa.backup_codes_regenerated',
  '2fa.temp_token_invalidated',
  'limits.lockout',
  'limits.rate_limited',
  'keys.rotated',
  'admin.user_created',
  'admin.user_promoted',
  'admin.role_granted',
  'admin.role_revoked',
  'admin.2fa_reset',
  'alerts.sms_test',
  'alerts.sms_alert',
  'passkeys.registered',
  'passkeys.registration.failed',
  'passkeys.renamed',
  'passkeys.removed',
  'passkeys.counter_regressed',
  'sessions.revoked',
  'sessions.revoked_others',
  'sessions.device_remembered',
  'sessions.remembered_device_revoked',
] as const;

export type SecurityEventType = (typeof securityEventTypes)[number];
