import type { CheckResult, Finding } from './findings';

/** `PASS name` / `FAIL name`, then one indented line per finding: `path:line: excerpt (detail)`. */
export function formatResults(results: CheckResult[]): string[] {
  return results.flatMap((result) => [
    `${result.passed ? 'PASS' : 'FAIL'} ${result.name}${result.note ? ` (${result.note})` : ''}`,
    ...result.findings.map((finding) => `  ${formatFinding(finding)}`),
  ]);
}

export function formatSummary(results: CheckResult[]): string {
  const failed = results.filter((result) => !result.passed).length;
  if (failed === 0) return `guard: all ${results.length} checks passed`;
  return `guard: ${failed} of ${results.length} checks failed (see docs/pushing.md)`;
}

export function countCommits(count: number): string {
  return `${count} commit${count === 1 ? '' : 's'}`;
}

function formatFinding(finding: Finding): string {
  const location = finding.line === undefined ? finding.path : `${finding.path}:${finding.line}:`;
  const excerpt = finding.excerpt ? ` ${finding.excerpt}` : '';
  const context = [finding.detail, finding.commit ? `commit ${finding.commit.slice(0, 12)}` : undefined].filter(Boolean);
  return `${location}${excerpt}${context.length > 0 ? ` [${context.join('; ')}]` : ''}`;
}
