import { createHash } from 'node:crypto';
import type { TwilioConfig } from '../../config';
import { twilioFormatProblem } from './formats';

/**
 * Whether the TWILIO_* settings are usable, and if not, which variable to fix. A malformed
 * value never gets this far from the environment: config.ts refuses it at start, naming the
 * variable, because a typo in a SID found only on the System status page is found too late.
 * What reaches here from the environment is therefore well-formed but perhaps incomplete (no
 * sender, no credential): the server starts and SMS is "not configured", which
 * /api/integrations/status and /api/system/status report by variable name (never value).
 * The format rules still run here, from the same source (formats.ts), for a Config built by hand.
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

export function resolveTwilioSettings(config: TwilioConfig): TwilioSettingsResolution {
  const problems: string[] = [];
  const { accountSid, authToken, apiKeySid, apiKeySecret, fromNumber, messagingServiceSid } = config;

  const malformed = (problem: string | undefined) => {
    if (problem) problems.push(problem);
  };

  if (!accountSid) problems.push('TWILIO_ACCOUNT_SID is not set');
  else malformed(twilioFormatProblem('TWILIO_ACCOUNT_SID', accountSid));

  malformed(twilioFormatProblem('TWILIO_AUTH_TOKEN', authToken));
  const hasApiKey = apiKeySid !== undefined || apiKeySecret !== undefined;
  if (hasApiKey) {
    if (!apiKeySid) problems.push('TWILIO_API_KEY_SID is not set (TWILIO_API_KEY_SECRET is)');
    else malformed(twilioFormatProblem('TWILIO_API_KEY_SID', apiKeySid));
    if (!apiKeySecret) problems.push('TWILIO_API_KEY_SECRET is not set (TWILIO_API_KEY_SID is)');
    else malformed(twilioFormatProblem('TWILIO_API_KEY_SECRET', apiKeySecret));
  } else if (!authToken) {
    problems.push('set TWILIO_AUTH_TOKEN, or TWILIO_API_KEY_SID and TWILIO_API_KEY_SECRET');
  }

  if (!fromNumber && !messagingServiceSid) problems.push('set TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID');
  if (fromNumber) malformed(twilioFormatProblem('TWILIO_FROM_NUMBER', fromNumber));
  if (messagingServiceSid) malformed(twilioFormatProblem('TWILIO_MESSAGING_SERVICE_SID', messagingServiceSid));

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
