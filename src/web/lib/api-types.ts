/** Wire shapes of the API as the UI reads them (see GET /api/openapi.json). */

export interface User {
  id: string;
  email: string;
  role: 'user' | 'admin';
  is_admin: boolean;
}

export interface SessionInfo {
  aal: 1 | 2;
  authenticated_at: string;
  fresh_until: string;
}

export interface Me {
  user: User;
  session: SessionInfo;
}

export type LoginResult =
  | { requires_2fa: false; user: User; session: SessionInfo }
  | { requires_2fa: true; temp_token: string; expires_in: number };

export interface TwoFactorStatus {
  enabled: boolean;
  enabled_at: string | null;
  backup_codes_remaining: number;
  last_used_at: string | null;
  pending_setup: boolean;
}

export interface TwoFactorSetup {
  otpauth_url: string;
  qr_data_url: string;
  secret: string;
  issuer: string;
  account: string;
}

export interface BackupCodesResult {
  backup_codes: string[];
  session: SessionInfo;
}

/** A TOTP code or a backup code: the API takes exactly one of them. */
export type SecondFactor = { code: string } | { backup_code: string };

export interface SecurityEvent {
  id: number;
  type: string;
  created_at: string;
  ip: string | null;
  user_agent: string | null;
  details: Record<string, string | number | boolean | null>;
}

export interface SmsTestResult {
  ok: true;
  trace_id: string;
  provider_message_id: string;
  status: string;
}

export interface IntegrationStatus {
  name: string;
  configured: boolean;
  connected: boolean;
  last_checked_at: string | null;
  last_used_at: string | null;
  proof_of_use_count_24h: number;
  last_error_code: string | null;
}

export interface SystemBlocker {
  code: string;
  message: string;
  fix: string;
}

export interface SystemStatus {
  status: 'ok' | 'degraded' | 'blocked';
  blockers: SystemBlocker[];
  checks: Record<string, unknown>;
}
