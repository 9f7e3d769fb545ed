import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { CheckResult } from '../../../tools/guard/findings';
import { parsePolicy, type Policy } from '../../../tools/guard/policy';
import { parseRangeOption } from '../../../tools/guard/range';
import { runChecks } from '../../../tools/guard/run-checks';
import { buildRangeScope, buildTreeScope } from '../../../tools/guard/scope';

export const projectRoot = resolve(import.meta.dirname, '../../..');

// The developer's own git config (hooks, signing, default branch, templates) and the variables a
// surrounding git hook exports (GIT_DIR, GIT_INDEX_FILE…) must not leak into scratch repositories,
// nor into the git processes the guard spawns from this test process.
for (const key of Object.keys(process.env)) if (key.startsWith('GIT_')) delete process.env[key];
process.env.GIT_CONFIG_GLOBAL = '/dev/null';
process.env.GIT_CONFIG_NOSYSTEM = '1';

export function loadProjectPolicy(): Policy {
  const path = join(projectRoot, 'guard.policy.json');
  return parsePolicy(readFileSync(path, 'utf8'), path);
}

export interface ScratchRepo {
  dir: string;
  git(...args: string[]): string;
  write(path: string, content: string): void;
  /** Writes the files, stages everything and commits; returns the new commit's sha. */
  commit(message: string, files?: Record<string, string>): string;
}

const scratchDirs: string[] = [];

export function makeScratchDir(prefix = 'guard-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  scratchDirs.push(dir);
  return dir;
}

export function removeScratchDirs(): void {
  for (const dir of scratchDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export function openRepo(dir: string): ScratchRepo {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const write = (path: string, content: string) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  };
  const commit = (message: string, files: Record<string, string> = {}) => {
    for (const [path, content] of Object.entries(files)) write(path, content);
    git('add', '-A');
    git('commit', '--quiet', '--allow-empty', '-m', message);
    return git('rev-parse', 'HEAD').trim();
  };
  return { dir, git, write, commit };
}

/** A fresh repository on `main` with a local identity and a first commit of ordinary project files. */
export function createScratchRepo(): ScratchRepo {
  const repo = openRepo(makeScratchDir());
  repo.git('init', '--quiet', '--initial-branch=main');
  repo.git('config', 'user.name', 'Guard Test');
  repo.git('config', 'user.email', 'guard-test@example.invalid');
  repo.commit('chore: initial project', {
    'package.json': '{ "name": "scratch", "private": true }\n',
    'src/server/app.ts': 'export const app = 1;\n',
    'src/web/App.tsx': 'export const App = () => null;\n',
    '.env.example': 'APP_ENC_KEY' + '=\nDATABASE_URL=\n',
  });
  return repo;
}

export function guardTree(dir: string, policy: Policy = loadProjectPolicy()): CheckResult[] {
  return runChecks({ scope: buildTreeScope(dir), policy, branch: null });
}

export function guardRange(dir: string, range: string, branch: string | null, policy: Policy = loadProjectPolicy()): CheckResult[] {
  return runChecks({ scope: buildRangeScope(dir, parseRangeOption(dir, range)), policy, branch });
}

export function resultNamed(results: CheckResult[], name: string): CheckResult {
  const result = results.find((candidate) => candidate.name === name);
  if (!result) throw new Error(`no check named ${name}`);
  return result;
}
