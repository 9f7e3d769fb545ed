import { z } from 'zod';
import { sessionView, userView } from '../auth/schemas';

/** Wire shapes of /api/auth/2fa. Codes are validated loosely: a malformed code is a wrong code (INVALID_CODE) and counts as a failure. */
const code = z.string().min(1, { error: 'is required' }).max(64, { error: 'must be at most 64 characters' });
const tempToken = z.string().min(1, { error: 'is required' }).max(128, { error: 'must be at most 128 characters' });

export const confirmBody = z.strictObject({ code });
export const factorBody = z.union([z.strictObject({ code }), z.strictObject({ backup_code: code })], {
  error: 'send exactly one of code or backup_code',
});
// Opt-in "Remember this browser": skip the second factor at this browser's next sign-ins.
const rememberDevice = z.boolean().optional();
export const verifyBody = z.union(
  [
    z.strictObject({ temp_token: tempToken, code, remember_device: rememberDevice }),
    z.strictObject({ temp_token: tempToken, backup_code: code, remember_device: rememberDevice }),
  ],
  { error: 'send temp_token with exactly one of code or backup_code' },
);

export const statusView = z.object({
  enabled: z.boolean(),
  enabled_at: z.string().nullable(),
  backup_codes_remaining: z.number().int(),
  last_used_at: z.string().nullable(),
  pending_setup: z.boolean(),
});

export const setupView = z.object({
  otpauth_url: z.string(),
  qr_data_url: z.string(),
  secret: z.string().describe('Base32 secret for manual entry; this response is the only time it leaves the server'),
  issuer: z.string(),
  account: z.string(),
});

export const backupCodesView = z.object({
  backup_codes: z.array(z.string()).length(10).describe('Shown exactly once; stored only as argon2id hashes'),
  session: sessionView,
});

export const confirmView = backupCodesView.extend({ enabled: z.literal(true) });
export const disableView = z.object({ enabled: z.literal(false), session: sessionView });
export const verifyView = z.object({
  user: userView,
  session: sessionView,
  remembered_until: z.string().nullable().describe('Until when this browser skips the second factor (remember_device: true); null when not remembered'),
});
