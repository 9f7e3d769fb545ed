import {
  startAuthentication,
  startRegistration,
  WebAuthnError,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/browser';
import { ApiError, apiRequest } from '../../lib/api';
import type { SessionInfo, User } from '../../lib/api-types';

export interface Passkey {
  id: string;
  name: string;
  created_at: string;
  last_used_at: string | null;
  backed_up: boolean;
  transports: string[];
}

export interface PasskeyAdded {
  id: string;
  name: string;
  created_at: string;
  backup_codes?: string[];
  session: SessionInfo;
}

type SignedIn = { user: User; session: SessionInfo };

/**
 * The browser's answer to a WebAuthn prompt it could not complete (the person cancelled, no
 * authenticator, ...): a client-side ApiError so the page shows it like any refused request.
 */
function ceremonyError(error: unknown): ApiError {
  if (error instanceof WebAuthnError || (error instanceof Error && error.name === 'NotAllowedError')) {
    return new ApiError(0, 'PASSKEY_CANCELLED', { detail: 'The passkey prompt was closed or timed out.' });
  }
  return new ApiError(0, 'PASSKEY_UNSUPPORTED', { detail: 'This browser could not use a passkey.' });
}

async function ceremony<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw ceremonyError(error);
  }
}

export const passkeyApi = {
  list: () => apiRequest<{ passkeys: Passkey[] }>('GET', '/api/auth/passkeys'),
  rename: (id: string, name: string) => apiRequest<Passkey>('PATCH', `/api/auth/passkeys/${encodeURIComponent(id)}`, { name }),
  remove: (id: string) => apiRequest<{ two_factor_enabled: boolean; session: SessionInfo }>('DELETE', `/api/auth/passkeys/${encodeURIComponent(id)}`),

  /** Options, the browser's create() prompt, verify: the whole ceremony (fresh session required). */
  async add(name?: string): Promise<PasskeyAdded> {
    const options = await apiRequest<PublicKeyCredentialCreationOptionsJSON>('POST', '/api/auth/passkeys/registration/options');
    const response = await ceremony(() => startRegistration({ optionsJSON: options }));
    return apiRequest<PasskeyAdded>('POST', '/api/auth/passkeys/registration/verify', { response, ...(name ? { name } : {}) });
  },

  /** With a temp token: the second sign-in step; without: a passwordless sign-in. */
  async signIn(tempToken?: string): Promise<SignedIn> {
    const body = tempToken ? { temp_token: tempToken } : {};
    const options = await apiRequest<PublicKeyCredentialRequestOptionsJSON>('POST', '/api/auth/passkeys/authentication/options', body);
    const response = await ceremony(() => startAuthentication({ optionsJSON: options }));
    return apiRequest<SignedIn>('POST', '/api/auth/passkeys/authentication/verify', { ...body, response });
  },
};
