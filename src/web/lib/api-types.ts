/**
 * Wire shapes of the API as the UI reads them: type-only imports of the zod schemas the server
 * validates and documents (GET /api/openapi.json) with, so the UI cannot drift from the API.
 * Nothing of the server reaches the bundle: `import type` is erased at build time.
 */
import type { z } from 'zod';
import type { smsTestView } from '../../server/alerts/schemas';
import type { loginResponse, meView, securityEventView, sessionView, userView } from '../../server/auth/schemas';
import type { integrationStatusView, twilioSendView } from '../../server/integrations/schemas';
import type { rememberedDeviceItemView, sessionItemView, sessionsOverviewView } from '../../server/sessions/schemas';
import type { statusView as systemStatusView } from '../../server/system/schemas';
import type { backupCodesView, factorBody, setupView, statusView as twoFactorStatusView } from '../../server/twofactor/schemas';

export type User = z.output<typeof userView>;
export type SessionInfo = z.output<typeof sessionView>;
export type Me = z.output<typeof meView>;
export type LoginResult = z.output<typeof loginResponse>;
export type TwoFactorStatus = z.output<typeof twoFactorStatusView>;
export type TwoFactorSetup = z.output<typeof setupView>;
export type BackupCodesResult = z.output<typeof backupCodesView>;
/** A TOTP code or a backup code: the API takes exactly one of them. */
export type SecondFactor = z.input<typeof factorBody>;
export type SecurityEvent = z.output<typeof securityEventView>;
export type SmsTestResult = z.output<typeof smsTestView>;
export type IntegrationStatus = z.output<typeof integrationStatusView>;
export type SystemStatus = z.output<typeof systemStatusView>;
export type SystemBlocker = SystemStatus['blockers'][number];
/** GET /api/auth/sessions: the signed-in user's sessions and remembered browsers. */
export type ActiveSession = z.output<typeof sessionItemView>;
export type RememberedDevice = z.output<typeof rememberedDeviceItemView>;
export type SessionsOverview = z.output<typeof sessionsOverviewView>;
/** One recent test SMS (GET /api/integrations/twilio/sends). */
export type RecentSend = z.output<typeof twilioSendView>;
