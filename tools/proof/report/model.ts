import type { CommandRun, ProofItem } from '../evidence';
import type { GitChanges } from '../git-changes';

/** What the report says, assembled by main.ts; rendered by build.ts. Values here are already safe to print except server env, which build.ts masks. */
export interface ProofReport {
  folderName: string;
  items: ProofItem[];
  run: {
    startedAt: string;
    finishedAt: string;
    durationMs: number;
    command: string;
    nodeVersion: string;
    curlVersion: string;
    database: string;
    limiterStore: string;
    twilio: string;
    servers: Array<{ name: string; role: string; url: string; env: Record<string, string> }>;
    notes: string[];
  };
  git: GitChanges;
  guard: CommandRun | undefined;
  browser: { run: CommandRun | undefined; skipped: boolean; copied: string[] };
  transcripts: Array<{ file: string; contents: string }>;
  scan: { files: string[]; secretKinds: Record<string, number> } | undefined;
}

export function verdictOf(items: readonly ProofItem[]): 'PASS' | 'FAIL' {
  return items.every((item) => item.status !== 'FAIL') ? 'PASS' : 'FAIL';
}
