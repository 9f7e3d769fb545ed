import { loadTwilioSdk } from './sdk';

/** Where Twilio reports delivery; mounted before the JSON-only middleware because Twilio posts forms. */
export const STATUS_CALLBACK_PATH = '/api/integrations/twilio/status-callback';

/**
 * The URL Twilio is asked to call, or undefined when a callback could not be verified:
 * Twilio signs callbacks with the account's auth token over the exact URL it called, so
 * both PUBLIC_URL and TWILIO_AUTH_TOKEN are needed (an API key alone cannot verify them).
 */
export function statusCallbackUrl(publicUrl: string | undefined, authToken: string | undefined): string | undefined {
  return publicUrl && authToken ? `${publicUrl}${STATUS_CALLBACK_PATH}` : undefined;
}

export type SignatureCheck = { ok: true } | { ok: false; reason: 'no_auth_token' | 'no_public_url' | 'missing_signature' | 'mismatch' };

/**
 * X-Twilio-Signature check with the SDK's own validator (HMAC-SHA1 over URL + sorted params,
 * compared in constant time). The URL is PUBLIC_URL + the path Twilio called, never the Host
 * header: the server behind a proxy does not see the URL Twilio signed.
 */
export function createTwilioSignatureVerifier(options: { authToken: string | undefined; publicUrl: string | undefined }) {
  return async (input: { signature: string | undefined; pathAndQuery: string; params: Record<string, string> }): Promise<SignatureCheck> => {
    if (!options.authToken) return { ok: false, reason: 'no_auth_token' };
    if (!options.publicUrl) return { ok: false, reason: 'no_public_url' };
    if (!input.signature) return { ok: false, reason: 'missing_signature' };
    const url = `${options.publicUrl}${input.pathAndQuery}`;
    const twilio = await loadTwilioSdk();
    return twilio.validateRequest(options.authToken, input.signature, url, input.params) ? { ok: true } : { ok: false, reason: 'mismatch' };
  };
}

export type TwilioSignatureVerifier = ReturnType<typeof createTwilioSignatureVerifier>;
