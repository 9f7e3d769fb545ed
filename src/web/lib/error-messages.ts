import type { ErrorCode } from '../../server/core/error-codes';
import type { ClientErrorCode } from './api';

/**
 * The one place that turns an error_code into words for a person. The type makes this map cover
 * every code in the API's catalog (src/server/core/error-codes.ts): adding a code there and not
 * here fails `npm run typecheck`.
 */
export const errorMessages: Record<ErrorCode | ClientErrorCode, string> = {
  VALIDATION_FAILED: 'Some of what you entered is not valid. Check the fields and try again.',
  MALFORMED_JSON: 'The app sent a request the server could not read. Reload the page and try again.',
  MALFORMED_REQUEST: 'The app sent a request the server could not read. Reload the page and try again.',
  HEADERS_TOO_LARGE: 'Your browser sent too much data with the request. Clear this site\'s cookies and try again.',
  REQUEST_TIMEOUT: 'The request took too long to arrive. Check your connection and try again.',
  PAYLOAD_TOO_LARGE: 'What you entered is too long.',
  UNSUPPORTED_MEDIA_TYPE: 'The app sent a request in a format the server refuses. Reload the page and try again.',
  NOT_FOUND: 'This feature is not available on this server.',
  METHOD_NOT_ALLOWED: 'This action is not available on this server.',
  ORIGIN_REJECTED: 'The request came from a page the server does not trust. Open Proofgate from its own address.',
  UNAUTHENTICATED: 'Your session has ended. Sign in again.',
  FORBIDDEN: 'You are not allowed to do this. Ask an administrator for access.',

  EMAIL_ALREADY_REGISTERED: 'An account with this email already exists. Sign in instead.',
  PASSWORD_TOO_SHORT: 'This password is too short: use at least 12 characters.',
  PASSWORD_TOO_LONG: 'This password is too long: use at most 128 characters.',
  PASSWORD_TOO_COMMON: 'This password is too common or too easy to guess. A few unrelated words make a strong one.',
  INVALID_CREDENTIALS: 'The email or password is incorrect.',
  SESSION_NOT_FRESH: 'Confirm your password to continue.',
  RESET_TOKEN_INVALID: 'This reset link is not valid or was already used. Ask for a new one.',
  RESET_TOKEN_EXPIRED: 'This reset link has expired. Ask for a new one.',

  TWO_FACTOR_REQUIRED: 'Finish signing in with your second factor first. Sign out and sign in again.',
  TWO_FACTOR_ALREADY_ENABLED: 'Two-factor authentication is already on for this account.',
  TWO_FACTOR_NOT_ENABLED: 'Two-factor authentication is not on for this account.',
  TWO_FACTOR_SETUP_REQUIRED: 'The setup was interrupted. Start the setup again.',
  INVALID_CODE:
    "That code is not correct. Type the code your authenticator app shows now; if codes keep failing, check that your phone's clock is set automatically.",
  BACKUP_CODE_REPLACED:
    'That backup code was replaced: new backup codes were generated since, and only the newest set works. Use a code from the newest set, or your authenticator app.',
  CODE_ALREADY_USED: 'That code was already used. Wait for the next code in your authenticator app.',
  TEMP_TOKEN_INVALID: 'This sign-in attempt is no longer valid. Sign in again.',
  TEMP_TOKEN_EXPIRED: 'This sign-in attempt expired. Sign in again.',
  PASSKEY_CHALLENGE_INVALID: 'This passkey request is no longer valid. Try again.',
  PASSKEY_CHALLENGE_EXPIRED: 'The passkey request took too long. Try again.',
  PASSKEY_VERIFICATION_FAILED: 'That passkey could not be verified. Try again or use another method.',
  PASSKEY_COUNTER_REGRESSED: 'This passkey was refused because it may have been copied. Use another method and remove it.',
  PASSKEY_ALREADY_REGISTERED: 'This passkey is already registered.',
  PASSKEY_NOT_FOUND: 'That passkey no longer exists.',
  PASSKEY_LIMIT_REACHED: 'This account already has the maximum number of passkeys.',
  SECRET_DECRYPTION_FAILED: 'The server cannot read its stored two-factor secrets. An administrator has to fix its encryption keys.',

  RATE_LIMITED: 'Too many attempts.',
  TWO_FACTOR_LOCKED: 'Two-factor sign-in is locked after too many wrong codes.',

  SMS_DESTINATION_NOT_ALLOWED: 'SMS to this number is not allowed: only numbers in the allowed countries, and no premium-rate, shared-cost or satellite numbers.',
  SMS_NOT_CONFIGURED: 'SMS is not configured on this server (Twilio credentials are missing).',
  SMS_PROVIDER_REJECTED: 'Twilio rejected the message.',
  SMS_PROVIDER_UNAVAILABLE: 'Twilio could not be reached. Try again shortly.',
  SIGNATURE_INVALID: 'The request signature is not valid.',

  SERVICE_UNAVAILABLE: 'A service Proofgate depends on is unavailable. Try again shortly.',
  DATABASE_UNAVAILABLE: 'The database is unavailable. Try again shortly.',
  INTERNAL_ERROR: 'Something went wrong on our side. Try again; if it keeps happening, tell an administrator.',

  NETWORK_ERROR: 'The server could not be reached. Check your connection and try again.',
  PASSKEY_CANCELLED: 'The passkey prompt was closed or timed out. Try again when you are ready.',
  PASSKEY_UNSUPPORTED: 'This browser or device cannot use a passkey here.',
  UNEXPECTED_RESPONSE: 'The server answered in a way this page does not understand. Reload and try again.',
};

/** Twilio's own error codes the SMS test can surface (provider_error_code), in words. */
const twilioErrorMessages: Record<string, string> = {
  '21211': 'the “To” number is not a valid phone number',
  '21408': 'sending to this region is not enabled on the Twilio account',
  '21610': 'the recipient has unsubscribed from messages (replied STOP)',
  '21612': 'Twilio cannot route a message to this number',
  '21614': 'the “To” number is not a mobile number',
  '20003': 'Twilio refused the credentials',
  '20429': 'Twilio is throttling requests',
};

export function messageForCode(code: string): string {
  return (errorMessages as Record<string, string>)[code] ?? `The request failed (${code}).`;
}

export function messageForProviderError(providerErrorCode: string): string {
  const known = twilioErrorMessages[providerErrorCode];
  return known ? `Twilio error ${providerErrorCode}: ${known}.` : `Twilio error ${providerErrorCode}.`;
}

/** Words for any thrown value: API errors by code, anything else generically (never raw internals). */
export function messageForError(error: unknown): string {
  if (error && typeof error === 'object' && 'errorCode' in error && typeof error.errorCode === 'string') {
    return messageForCode(error.errorCode);
  }
  return errorMessages.INTERNAL_ERROR;
}
