import { readFilesIntroduced, type TextFile } from '../files';
import { resultOf, type CheckContext, type CheckResult, type Finding } from '../findings';
import type { Policy } from '../policy';
import type { Scope } from '../scope';
import {
  findEncryptionKeys,
  findPrivateKeys,
  findTwilioSecrets,
  findTwilioSids,
  isDotenvFile,
  type SecretHit,
} from './secret-patterns';

export const secretsCheckName = 'no-committed-secrets';

type AllowEntry = Policy['secrets']['allow'][number];

export function checkNoCommittedSecrets(context: CheckContext): CheckResult {
  const allow = context.policy.secrets.allow;
  const findings: Finding[] = listCommittedDotenvFiles(context.scope)
    .filter((path) => !isAllowed(allow, path, path))
    .map((path) => ({ path, detail: 'committed .env file (only .env.example may be committed)' }));

  const seen = new Set<string>();
  for (const file of readFilesIntroduced(context.scope, () => true)) {
    for (const hit of findSecretHits(file, allow)) {
      // The same line written by several commits is one problem; report the oldest commit (files come oldest first).
      const key = `${file.path}:${hit.line}:${hit.rawLine}`;
      if (seen.has(key)) continue;
      seen.add(key);
      findings.push({
        path: file.path,
        line: hit.line,
        excerpt: hit.excerpt,
        detail: hit.detail,
        ...(file.commit ? { commit: file.commit } : {}),
      });
    }
  }
  return resultOf(secretsCheckName, findings);
}

function findSecretHits(file: TextFile, allow: AllowEntry[]): SecretHit[] {
  const keep = (hit: SecretHit) => !isAllowed(allow, file.path, hit.rawLine);
  const hits = [...findPrivateKeys(file), ...findEncryptionKeys(file)].filter(keep);
  // A SID alone is an identifier; with a token or secret beside it, the file holds a working credential.
  const sids = findTwilioSids(file).filter(keep);
  const secrets = findTwilioSecrets(file).filter(keep);
  if (sids.length > 0 && secrets.length > 0) hits.push(...sids, ...secrets);
  return hits.sort((a, b) => a.line - b.line);
}

function listCommittedDotenvFiles(scope: Scope): string[] {
  if (scope.kind === 'tree') return scope.trackedPaths.filter(isDotenvFile);
  // In a range, a .env committed and then removed was still pushed.
  const written = scope.commits.flatMap((commit) => commit.changes.filter((change) => change.status !== 'D'));
  return [...new Set(written.map((change) => change.path))].filter(isDotenvFile).sort();
}

/** An allow entry names one exact file and a literal the flagged line (or, for a file-level finding, the path) contains. */
function isAllowed(allow: AllowEntry[], path: string, flaggedText: string): boolean {
  return allow.some((entry) => entry.path === path && flaggedText.includes(entry.contains));
}
