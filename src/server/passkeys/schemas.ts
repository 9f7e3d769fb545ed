import { z } from 'zod';
import { sessionView, userView } from '../auth/schemas';

/**
 * Wire shapes of /api/auth/passkeys. A WebAuthn response is checked here only for its outline
 * (bounded strings, known keys); the library verifies its content.
 */
const b64url = (max: number) => z.string().min(1, { error: 'is required' }).max(max, { error: `must be at most ${max} characters` }).regex(/^[A-Za-z0-9_-]+$/, { error: 'must be base64url' });
const tempToken = z.string().min(1, { error: 'is required' }).max(128, { error: 'must be at most 128 characters' });
const name = z.string().trim().min(1, { error: 'is required' }).max(64, { error: 'must be at most 64 characters' });
const transports = z.array(z.string().max(32)).max(8);

const clientExtensionResults = z.record(z.string(), z.unknown()).default({});

export const registrationResponse = z.object({
  id: b64url(1024),
  rawId: b64url(1024),
  type: z.literal('public-key'),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
  clientExtensionResults,
  response: z.object({
    clientDataJSON: b64url(4096),
    attestationObject: b64url(8192),
    transports: transports.optional(),
    publicKeyAlgorithm: z.number().int().optional(),
    publicKey: b64url(4096).optional(),
    authenticatorData: b64url(8192).optional(),
  }),
});

export const authenticationResponse = z.object({
  id: b64url(1024),
  rawId: b64url(1024),
  type: z.literal('public-key'),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
  clientExtensionResults,
  response: z.object({
    clientDataJSON: b64url(4096),
    authenticatorData: b64url(4096),
    signature: b64url(1024),
    userHandle: b64url(256).optional(),
  }),
});

export const registrationVerifyBody = z.strictObject({ response: registrationResponse, name: name.optional() });
export const renameBody = z.strictObject({ name });
export const authenticationOptionsBody = z.strictObject({ temp_token: tempToken.optional() });
export const authenticationVerifyBody = z.strictObject({ temp_token: tempToken.optional(), response: authenticationResponse });

export const passkeyView = z.object({
  id: z.uuid(),
  name: z.string(),
  created_at: z.string(),
  last_used_at: z.string().nullable(),
  backed_up: z.boolean(),
  transports: z.array(z.string()),
});

/** A passkey just added: its identity from passkeyView, then what adding it produced. */
export const registeredView = passkeyView.pick({ id: true, name: true, created_at: true }).extend({
  backup_codes: z.array(z.string()).length(10).optional().describe('Only when this passkey turned two-factor on: shown exactly once'),
  session: sessionView,
});

export const removedView = z.object({ two_factor_enabled: z.boolean(), session: sessionView });
export const listView = z.object({ passkeys: z.array(passkeyView) });
export const signedInView = z.object({ user: userView, session: sessionView });
export const optionsView = z.record(z.string(), z.unknown()).describe('PublicKeyCredential*OptionsJSON for @simplewebauthn/browser');
