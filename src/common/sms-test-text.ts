/**
 * The test SMS text, shared by the server (request validation, the alert service) and the web
 * UI (the OpsAlerts form): the text is fixed and an admin may only add a short note.
 */

/** A short note an admin may add to the fixed test text: one GSM-7 segment, always behind the fixed text that says what the message is. */
export const SMS_TEST_NOTE_MAX_CHARS = 160;

/**
 * Why a note cannot be sent, or undefined when it can. Control characters, Unicode line and
 * paragraph separators and bidirectional overrides are refused, so the note stays on the line
 * the fixed text gives it, reads in the order it was typed, and cannot pose as a message of its own.
 */
export function smsTestNoteProblem(note: string): string | undefined {
  if (note.length > SMS_TEST_NOTE_MAX_CHARS) return `must be at most ${SMS_TEST_NOTE_MAX_CHARS} characters`;
  if (hasControlCharacters(note)) return SMS_TEST_NOTE_ONE_LINE;
  return undefined;
}

export const SMS_TEST_NOTE_ONE_LINE = 'must be one line without control characters';

export function hasControlCharacters(text: string): boolean {
  return /[\p{Cc}\p{Zl}\p{Zp}\u202A-\u202E\u2066-\u2069]/u.test(text);
}

/** The fixed test text: the note is the only part an admin chooses, so a stolen admin account cannot send arbitrary text from the sender number. */
export function composeTestSmsBody(input: { issuer: string; traceId: string; note: string | undefined }): string {
  const head = `${input.issuer} test alert: SMS delivery works (trace ${input.traceId})`;
  return input.note ? `${head}. Note: ${input.note}` : head;
}
