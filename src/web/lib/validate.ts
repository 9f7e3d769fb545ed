/**
 * The app's own field checks, so forms can say what is wrong in their own words and style
 * (noValidate turns off the browser's bubbles). The API stays the judge; these only catch
 * what is certainly wrong before a round trip.
 */
export const PASSWORD_MIN_LENGTH = 12;

/** A problem with an email field, or null. Deliberately loose: one @ with text either side. */
export function emailProblem(value: string): string | null {
  const trimmed = value.trim();
  if (!trimmed) return 'Enter your email address.';
  if (!/^[^\s@]+@[^\s@]+$/.test(trimmed)) return 'Enter an email address like name@example.com.';
  return null;
}

/** A problem with a password field, or null: any current password is only required; a new one has a minimum. */
export function passwordProblem(value: string, kind: 'current' | 'new'): string | null {
  if (!value) return kind === 'new' ? 'Choose a password.' : 'Enter your password.';
  if (kind === 'new' && value.length < PASSWORD_MIN_LENGTH) {
    return `Use at least ${PASSWORD_MIN_LENGTH} characters (this one has ${value.length}).`;
  }
  return null;
}

/** Words for a refused second-factor code: what to check, and how many tries are left. */
export function attemptsLeftSentence(attemptsRemaining: number | undefined): string | null {
  if (attemptsRemaining === undefined) return null;
  if (attemptsRemaining === 0) return 'That was the last try.';
  return attemptsRemaining === 1 ? '1 try left before two-factor sign-in is locked.' : `${attemptsRemaining} tries left before two-factor sign-in is locked.`;
}
