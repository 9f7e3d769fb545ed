import { createHash } from 'node:crypto';
import { isE164 } from '../../../common/phone';
import type { TwilioConfig } from '../../config';

/**
 * Whether the TWILIO_* settings are usable, and if not, which variable to fix. The server
 * starts either way: a missing or malformed setting makes SMS "not configured", which
 * /api/integrations/status and /api/system/status report by variable name (never value).
 */
export interface TwilioSettings {
  accountSid: string;
  /** HTTP basic credentials: the account SID + auth token, or an API key SID + secret. */
  auth: { kind: 'auth_token' | 'api_key'; username: string; password: string };
  /** Twilio signs status callbacks with the account's auth token, even when sends use an API key. */
  authToken: string | undefined;
  fromNumber: string | undefined;
  messagingServiceSid: string | undefined;
  apiBaseUrl: string | undefined;
  timeoutMs: number;
}

export type TwilioSettingsResolution =
  | { configured: true; settings: TwilioSettings; problems: [] }
  | { configured: false; settings: undefined; problems: string[] };

// SID shapes from Twilio's OpenAPI (AccountSid ^AC…, API key ^SK…, Messaging Service ^MG…).
const ACCOUNT_SID = /^AC[0-9a-fA-F]{32}$/;
const API_KEY_SID = /^SK[0-9a-fA-F]{32}$/;
const MESSAGING_SERVICE_SID = /^MG[0-9a-fA-F]{32}$/;
const NO_WHITESPACE = /^\S+$/;

export function resolveTwilioSettings(config: TwilioConfig): TwilioSettingsResolution {
  const problems: string[] = [];
  const { accountSid, authToken, apiKeySid, apiKeySecret, fromNumber, messagingServiceSid } = config;

  if (!accountSid) problems.push('TWILIO_ACCOUNT_SID is not set');
  else if (!ACCOUNT_SID.test(accountSid)) problems.push('TWILIO_ACCOUNT_SID must be AC followed by 32 hexadecimal characters');

  if (authToken !== undefined && !NO_WHITESPACE.test(authToken)) problems.push('TWILIO_AUTH_TOKEN must not contain spaces');
  const hasApiKey = apiKeySid !== undefined || apiKeySecret !== undefined;
  if (hasApiKey) {
    if (!apiKeySid) problems.push('TWILIO_API_KEY_SID is not set (TWILIO_API_KEY_SECRET is)');
    else if (!API_KEY_SID.test(apiKeySid)) problems.push('TWILIO_API_KEY_SID must be SK followed by 32 hexadecimal characters');
    if (!apiKeySecret) problems.push('TWILIO_API_KEY_SECRET is not set (TWILIO_API_KEY_SID is)');
    else if (!NO_WHITESPACE.test(apiKeySecret)) problems.push('TWILIO_API_KEY_SECRET must not contain spaces');
  } else if (!authToken) {
    problems.push('set TWILIO_AUTH_TOKEN, or TWILIO_API_KEY_SID and TWILIO_API_KEY_SECRET');
  }

  if (!fromNumber && !messagingServiceSid) problems.push('set TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID');
  if (fromNumber && !isE164(fromNumber)) problems.push('TWILIO_FROM_NUMBER must be an E.164 number such as +15005550006');
  if (messagingServiceSid && !MESSAGING_SERVICE_SID.test(messagingServiceSid)) {
    problems.push('TWILIO_MESSAGING_SERVICE_SID must be MG followed by 32 hexadecimal characters');
  }

  if (problems.length > 0) return { configured: false, settings: undefined, problems };
  // An API key is preferred when both are given: it can be revoked without rotating the account's token.
  const auth = hasApiKey
    ? { kind: 'api_key' as const, username: apiKeySid!, password: apiKeySecret! }
    : { kind: 'auth_token' as const, username: accountSid!, password: authToken! };
  return {
    configured: true,
    problems: [],
    settings: {
      accountSid: accountSid!,
      auth,
      authToken,
      fromNumber,
      messagingServiceSid,
      apiBaseUrl: config.apiBaseUrl,
      timeoutMs: config.timeoutMs,
    },
  };
}

/**
 * Names the credentials a check was made with, so a cached result is not reused after they
 * change. 64 bits of a domain-separated SHA-256: enough to tell settings apart, and the
 * secrets it covers are high-entropy tokens that such a hash cannot be turned back into.
 */
export function credentialFingerprint(settings: TwilioSettings): string {
  return createHash('sha256')
    .update('proofgate twilio credentials v1')
    .update(['', settings.accountSid, settings.auth.username, settings.auth.password, settings.apiBaseUrl ?? 'https://api.twilio.com'].join('\u0000'))
    .digest('hex')
    .slice(0, 16);
}
