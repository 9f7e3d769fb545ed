import { describe, expect, it } from 'vitest';
import { errorCodes } from '../../src/server/core/error-codes';
import { errorMessages, messageForCode, messageForError, messageForProviderError } from '../../src/web/lib/error-messages';

describe('web UI error messages', () => {
  it('has words for every error_code in the API catalog, and nothing else from the server', () => {
    const clientCodes = ['NETWORK_ERROR', 'UNEXPECTED_RESPONSE', 'PASSKEY_CANCELLED', 'PASSKEY_UNSUPPORTED'];
    expect(Object.keys(errorMessages).sort()).toEqual([...errorCodes, ...clientCodes].sort());
    for (const message of Object.values(errorMessages)) expect(message).toMatch(/^[A-Z].*\.$/);
  });

  it('falls back to naming an unknown code instead of showing raw internals', () => {
    expect(messageForCode('SOMETHING_NEW')).toBe('The request failed (SOMETHING_NEW).');
    expect(messageForError(new TypeError('secret stack detail'))).toBe(errorMessages.INTERNAL_ERROR);
    expect(messageForError({ errorCode: 'INVALID_CODE' })).toBe(errorMessages.INVALID_CODE);
  });

  it('explains the Twilio error codes the SMS test can surface', () => {
    expect(messageForProviderError('21211')).toBe('Twilio error 21211: the “To” number is not a valid phone number.');
    expect(messageForProviderError('99999')).toBe('Twilio error 99999.');
  });
});
