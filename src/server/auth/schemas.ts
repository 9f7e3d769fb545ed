import { z } from 'zod';
import { emailSchema } from './email';

/** Wire shapes of /api/auth; the same schemas validate requests and generate the OpenAPI document. */

// Passwords are checked by the policy on register; on login any string up to a bound is
// accepted and simply fails, so the error never says which rule an old password breaks.
const passwordInput = z.string().min(1, { error: 'is required' }).max(1024, { error: 'must be at most 1024 characters' });

export const registerBody = z.strictObject({ email: emailSchema, password: passwordInput });
export const loginBody = z.strictObject({ email: emailSchema, password: passwordInput });
export const reauthenticateBody = z.strictObject({ password: passwordInput });
export const changePasswordBody = z.strictObject({ current_password: passwordInput, new_password: passwordInput });

export const userView = z.object({
  id: z.uuid(),
  email: z.string(),
  role: z.enum(['user', 'admin']),
  is_admin: z.boolean(),
  created_at: z.string(),
});

export const sessionView = z.object({
  aal: z.union([z.literal(1), z.literal(2)]),
  authenticated_at: z.string(),
  fresh_until: z.string(),
  second_factor_remembered: z.boolean().describe('AAL2 through a remembered browser rather than a code typed at this sign-in'),
});

export const meView = z.object({ user: userView.omit({ created_at: true }), session: sessionView });

export const loginResponse = z.union([
  z.object({ requires_2fa: z.literal(false), user: userView, session: sessionView }),
  z.object({
    requires_2fa: z.literal(true),
    temp_token: z.string(),
    expires_in: z.number().int(),
    methods: z.array(z.enum(['totp', 'passkey', 'backup_code'])).describe('The second factors this account has'),
    remember_device_days: z.number().int().describe('How long the verify step may remember this browser (remember_device: true); 0 when off'),
  }),
]);

export const securityEventsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).optional(),
});

export const securityEventView = z.object({
  id: z.number().int(),
  type: z.string(),
  created_at: z.string(),
  ip: z.string().nullable(),
  user_agent: z.string().nullable(),
  details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
});
