import { describe, expect, it } from 'vitest';
import { attemptsLeftSentence, emailProblem, passwordProblem } from '../../src/web/lib/validate';

describe('the web forms\' own field checks', () => {
  it('email: required, and one @ with text on both sides', () => {
    expect(emailProblem('')).toMatch(/Enter your email/);
    expect(emailProblem('   ')).toMatch(/Enter your email/);
    expect(emailProblem('name')).toMatch(/like name@example.com/);
    expect(emailProblem('a@b@c')).toMatch(/like name@example.com/);
    expect(emailProblem(' name@example.com ')).toBeNull();
  });

  it('password: a current one is only required; a new one needs 12 characters and says how many it has', () => {
    expect(passwordProblem('', 'current')).toMatch(/Enter your password/);
    expect(passwordProblem('x', 'current')).toBeNull();
    expect(passwordProblem('', 'new')).toMatch(/Choose a password/);
    expect(passwordProblem('short', 'new')).toBe('Use at least 12 characters (this one has 5).');
    expect(passwordProblem('twelve-chars', 'new')).toBeNull();
  });

  it('tries left: nothing without a count, singular and plural, and the last one', () => {
    expect(attemptsLeftSentence(undefined)).toBeNull();
    expect(attemptsLeftSentence(2)).toBe('2 tries left before two-factor sign-in is locked.');
    expect(attemptsLeftSentence(1)).toBe('1 try left before two-factor sign-in is locked.');
    expect(attemptsLeftSentence(0)).toBe('That was the last try.');
  });
});
