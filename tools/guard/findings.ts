import type { TextFile } from './files';
import type { Policy } from './policy';
import type { Scope } from './scope';

export interface Finding {
  path: string;
  line?: number;
  /** Already safe to print: secret values are redacted before a finding is made. */
  excerpt?: string;
  commit?: string;
  detail?: string;
}

export interface CheckResult {
  name: string;
  passed: boolean;
  note?: string;
  findings: Finding[];
}

export interface CheckContext {
  scope: Scope;
  policy: Policy;
  /** The branch whose rule applies to a range (from --branch or the pushed ref); null when unknown. */
  branch: string | null;
}

export interface LineMatch {
  line: number;
  text: string;
  match: RegExpExecArray;
}

const maxExcerptChars = 160;

/** Every line of a file that matches the pattern, numbered from 1. */
export function findMatchingLines(file: TextFile, pattern: RegExp): LineMatch[] {
  const matches: LineMatch[] = [];
  const lines = file.text.split(/\r?\n/);
  lines.forEach((text, index) => {
    const match = pattern.exec(text);
    if (match) matches.push({ line: index + 1, text, match });
  });
  return matches;
}

export function trimExcerpt(text: string): string {
  const trimmed = text.trim();
  return trimmed.length > maxExcerptChars ? `${trimmed.slice(0, maxExcerptChars)}…` : trimmed;
}

export function resultOf(name: string, findings: Finding[], note?: string): CheckResult {
  return { name, passed: findings.length === 0, findings, ...(note ? { note } : {}) };
}
