import type { CommandRun, ProofItem } from '../evidence';
import type { GitChanges } from '../git-changes';
import type { SecretRegistry } from '../redact';
import { formatExchange, formatSql } from './format';

/** The raw transcripts: every exchange with all its headers, SQL results as text, command outputs, all masked. */

const RULE = `\n\n${'='.repeat(100)}\n\n`;

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

export function itemTranscript(item: ProofItem, secrets: SecretRegistry): { file: string; contents: string } {
  const parts = item.evidence.map((entry) => {
    if (entry.kind === 'http') {
      const e = entry.exchange;
      const header = `# ${e.id}: ${e.title}\n# ${e.startedAt}, ${e.durationMs} ms${e.note ? `\n# ${e.note}` : ''}`;
      return `${header}\n${formatExchange(e, secrets, 'full')}`;
    }
    if (entry.kind === 'sql') return `# ${entry.sql.id}\n${formatSql(entry.sql, secrets)}`;
    return entry.text;
  });
  const checks = item.checks.map((c) => `${c.passed ? 'PASS' : 'FAIL'} ${c.expectation}\n     observed: ${c.observed}`).join('\n');
  const contents = `${item.id} — ${item.title}: ${item.status}\n\n${checks}${RULE}${parts.join(RULE) || '(no exchanges recorded)'}\n`;
  return { file: `${slug(`${item.id} ${item.title}`).slice(0, 60)}.txt`, contents: secrets.redactText(contents) };
}

export function commandTranscript(file: string, run: CommandRun | undefined, secrets: SecretRegistry): { file: string; contents: string } {
  const contents = run ? `$ ${run.command}\n# exit ${String(run.exitCode)}, ${(run.durationMs / 1000).toFixed(1)} s\n\n${run.output}` : '(not run)\n';
  return { file, contents: secrets.redactText(contents) };
}

export function serverLogTranscript(lines: ReadonlyArray<{ server: string; line: string }>, secrets: SecretRegistry): { file: string; contents: string } {
  return { file: 'server-log.jsonl', contents: secrets.redactText(lines.map((l) => `{"proof_server":"${l.server}",${l.line.trim().replace(/^\{/, '')}`).join('\n') + '\n') };
}

export function gitTranscript(git: GitChanges): { file: string; contents: string } {
  if (!git.isGit) return { file: 'git-changes.txt', contents: `${git.reason}\n` };
  const lines = [`branch ${git.branch} at ${git.head}`, `uncommitted: ${git.uncommitted.length}`, ...git.uncommitted.map((u) => `  ${u}`), ''];
  for (const group of git.groups) {
    lines.push(`## ${group.scope}`);
    for (const commit of group.commits) lines.push(`${commit.hash} ${commit.subject}`, ...commit.files.map((f) => `    ${f}`));
    lines.push('');
  }
  return { file: 'git-changes.txt', contents: `${lines.join('\n')}\n` };
}
