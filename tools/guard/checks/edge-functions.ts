import { readFilesAtEnd } from '../files';
import { findMatchingLines, resultOf, trimExcerpt, type CheckContext, type CheckResult, type Finding } from '../findings';
import { listPathsAtEnd } from '../scope';

export const edgeFunctionsCheckName = 'no-supabase-edge-functions';

// Proofgate runs as one Express process; Edge Functions would be a second runtime with its own secrets and deploys.
const sourceExtensions = /\.(?:[cm]?[jt]s|[jt]sx)$/;
const functionsFolder = /(?:^|\/)functions\//;

const callPatterns: { pattern: RegExp; detail: string }[] = [
  { pattern: /functions\.invoke\(/, detail: 'calls a Supabase Edge Function' },
  { pattern: /\/functions\/v1\//, detail: 'calls the Edge Functions HTTP endpoint' },
  { pattern: /\bDeno\.serve\(/, detail: 'Deno edge entry point' },
  { pattern: /\bfrom\s*['"]https:\/\/deno\.land\/std[^'"]*\/http\/server\.ts['"]/, detail: 'Deno std http server import' },
];

// Deno-only import specifiers; only meaningful in a functions folder, where an edge entry point would live.
const denoSpecifier = /(?:\bfrom|\bimport)\s*\(?\s*['"](?:jsr|npm):/;
const functionsJsDependency = /["']@supabase\/functions-js["']\s*:/;

export function checkNoEdgeFunctions(context: CheckContext): CheckResult {
  const { scope } = context;
  const findings: Finding[] = listPathsAtEnd(scope)
    .filter((path) => path.startsWith('supabase/functions/'))
    .map((path) => ({ path, detail: 'Supabase Edge Functions folder' }));

  for (const file of readFilesAtEnd(scope, (path) => sourceExtensions.test(path))) {
    for (const { pattern, detail } of callPatterns) {
      for (const hit of findMatchingLines(file, pattern)) {
        findings.push({ path: file.path, line: hit.line, excerpt: trimExcerpt(hit.text), detail });
      }
    }
    if (file.path.endsWith('.ts') && functionsFolder.test(file.path)) {
      for (const hit of findMatchingLines(file, denoSpecifier)) {
        findings.push({ path: file.path, line: hit.line, excerpt: trimExcerpt(hit.text), detail: 'Deno import specifier' });
      }
    }
  }

  for (const file of readFilesAtEnd(scope, (path) => path === 'package.json' || path.endsWith('/package.json'))) {
    for (const hit of findMatchingLines(file, functionsJsDependency)) {
      findings.push({ path: file.path, line: hit.line, excerpt: trimExcerpt(hit.text), detail: 'Edge Functions client dependency' });
    }
  }
  return resultOf(edgeFunctionsCheckName, findings);
}
