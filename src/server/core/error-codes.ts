/**
 * The one catalog of every `error_code` the API can answer with: its HTTP status and a
 * human title. Codes are a public contract (checked from outside with curl); never rename one.
 */
export const errorCatalog = {
  VALIDATION_FAILED: { status: 400, title: 'The request body or query is not valid' },
  MALFORMED_JSON: { status: 400, title: 'The request body is not valid JSON' },
  MALFORMED_REQUEST: { status: 400, title: 'The request could not be parsed' },
  HEADERS_TOO_LARGE: { status: 431, title: 'The request headers are too large' },
  REQUEST_TIMEOUT: { status: 408, title: 'The request took too long to arrive' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'The request body is too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Send the request body as application/json' },
  NOT_FOUND: { status: 404, title: 'No such resource' },
  METHOD_NOT_ALLOWED: { status: 405, title: 'This method is not allowed on this resource' },
  ORIGIN_REJECTED: { status: 403, title: 'Cross-origin state-changing requests are refused' },
  UNAUTHENTICATED: { status: 401, title: 'Sign in first' },
  FORBIDDEN: { status: 403, title: 'You are not allowed to do this' },

  EMAIL_ALREADY_REGISTERED: { status: 409, title: 'An account with this email already exists' },
  PASSWORD_TOO_SHORT: { status: 400, title: 'The password is too short' },
  PASSWORD_TOO_LONG: { status: 400, title: 'The password is too long' },
  PASSWORD_TOO_COMMON: { status: 400, title: 'The password is too common or too easy to guess' },
  INVALID_CREDENTIALS: { status: 401, title: 'Email or password is incorrect' },
  SESSION_NOT_FRESH: { status: 403, title: 'Confirm your password again to continue' },
  RESET_TOKEN_INVALID: { status: 400, title: 'This password reset link is not valid or was already used; ask for a new one' },
  RESET_TOKEN_EXPIRED: { status: 400, title: 'This password reset link has expired; ask for a new one' },

  TWO_FACTOR_REQUIRED: { status: 403, title: 'Complete two-factor authentication first' },
  TWO_FACTOR_ALREADY_ENABLED: { status: 409, title: 'Two-factor authentication is already enabled' },
  TWO_FACTOR_NOT_ENABLED: { status: 409, title: 'Two-factor authentication is not enabled' },
  TWO_FACTOR_SETUP_REQUIRED: { status: 409, title: 'Start two-factor setup first' },
  INVALID_CODE: { status: 400, title: 'The code is not valid' },
  CODE_ALREADY_USED: { status: 400, title: 'This code has already been used; wait for the next one' },
  BACKUP_CODE_REPLACED: { status: 400, title: 'This backup code belongs to a set that was replaced by newer codes' },
  TEMP_TOKEN_INVALID: { status: 401, title: 'The sign-in attempt is no longer valid; sign in again' },
  TEMP_TOKEN_EXPIRED: { status: 401, title: 'The sign-in attempt expired; sign in again' },
  PASSKEY_CHALLENGE_INVALID: { status: 400, title: 'The passkey challenge is unknown, already used or was issued to another sign-in; start again' },
  PASSKEY_CHALLENGE_EXPIRED: { status: 400, title: 'The passkey challenge expired; start again' },
  PASSKEY_VERIFICATION_FAILED: { status: 400, title: 'The passkey response could not be verified' },
  PASSKEY_COUNTER_REGRESSED: { status: 400, title: 'The passkey signature counter went backwards: this authenticator may have been cloned' },
  PASSKEY_ALREADY_REGISTERED: { status: 409, title: 'This passkey is already registered' },
  PASSKEY_NOT_FOUND: { status: 404, title: 'No such passkey' },
  PASSKEY_LIMIT_REACHED: { status: 409, title: 'This account has the maximum number of passkeys' },
  SECRET_DECRYPTION_FAILED: { status: 503, title: 'A stored secret cannot be decrypted with the configured keys' },

  RATE_LIMITED: { status: 429, title: 'Too many attempts; try again later' },
  TWO_FACTOR_LOCKED: { status: 429, title: 'Two-factor authentication is temporarily locked after too many failures' },

  SMS_DESTINATION_NOT_ALLOWED: { status: 422, title: 'SMS to this destination is not allowed' },
  SMS_NOT_CONFIGURED: { status: 503, title: 'SMS is not configured' },
  SMS_PROVIDER_REJECTED: { status: 502, title: 'The SMS provider rejected the message' },
  SMS_PROVIDER_UNAVAILABLE: { status: 503, title: 'The SMS provider could not be reached' },
  SIGNATURE_INVALID: { status: 403, title: 'The request signature is not valid' },

  SERVICE_UNAVAILABLE: { status: 503, title: 'A dependency is unavailable; try again shortly' },
  DATABASE_UNAVAILABLE: { status: 503, title: 'The database is unavailable; try again shortly' },
  INTERNAL_ERROR: { status: 500, title: 'Something went wrong on our side' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof errorCatalog;

export const errorCodes = Object.keys(errorCatalog) as ErrorCode[];
