import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { edgeSnippets, pemHeader, pemPrivateKey } from './support/fixtures';
import { createScratchRepo, projectRoot, removeScratchDirs } from './support/scratch-repo';
import { CHILD_PROCESS_TEST_TIMEOUT_MS } from '../support/timeouts';

afterAll(removeScratchDirs);

const tsx = join(projectRoot, 'node_modules/.bin/tsx');
const guardMain = join(projectRoot, 'tools/guard/main.ts');
const projectPolicy = join(projectRoot, 'guard.policy.json');

function runGuardCli(cwd: string, args: string[], input?: string) {
  const result = spawnSync(tsx, [guardMain, '--policy', projectPolicy, ...args], { cwd, encoding: 'utf8', input });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('npm run guard (command line)', { timeout: CHILD_PROCESS_TEST_TIMEOUT_MS }, () => {
  it('passes on this project itself, exit code 0', () => {
    const result = spawnSync('npm', ['run', '--silent', 'guard'], { cwd: projectRoot, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.stdout.split('\n')).toEqual(
      expect.arrayContaining([
        'PASS no-supabase-edge-functions',
        'PASS no-workflow-files',
        expect.stringMatching(/^PASS ui-branch-paths \(skipped: whole-tree mode/),
        'PASS no-committed-secrets',
        'guard: all 4 checks passed',
      ]),
    );
    expect(result.status).toBe(0);
  });

  it('prints FAIL with path:line: excerpt lines and exits 1 on a bad tree', () => {
    const repo = createScratchRepo();
    repo.commit('bad', {
      'supabase/functions/x/index.ts': edgeSnippets.denoServe,
      '.github/workflows/pr-ui-guard.yml': 'on: push\n',
      'deploy/key.pem': pemPrivateKey(),
    });
    const result = runGuardCli(repo.dir, []);
    expect(result.status).toBe(1);
    const lines = result.stdout.split('\n');
    expect(lines).toContain('FAIL no-supabase-edge-functions');
    expect(lines).toContain('  supabase/functions/x/index.ts [Supabase Edge Functions folder]');
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}supabase\/functions\/x\/index\.ts:1: Deno\.serve\(/));
    expect(lines).toContain('FAIL no-workflow-files');
    expect(lines).toContain('  .github/workflows/pr-ui-guard.yml [workflow file: pushing it needs the workflow token scope]');
    expect(lines).toContain('FAIL no-committed-secrets');
    expect(lines).toContain(`  deploy/key.pem:1: ${pemHeader} [PEM private key]`);
    expect(lines).toContain('guard: 3 of 4 checks failed (see docs/pushing.md)');
  });

  it('checks a range for a branch given with --range and --branch', () => {
    const repo = createScratchRepo();
    repo.git('switch', '--quiet', '-c', 'dev');
    repo.commit('fix: ui tweak on dev', { 'src/web/App.tsx': 'export const App = () => 1;\n' });
    const result = runGuardCli(repo.dir, ['--range', 'main..dev', '--branch', 'dev']);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('guard: range main..dev (1 commit)');
    expect(result.stdout).toMatch(/FAIL ui-branch-paths \(dev rule: no-ui\)\n {2}src\/web\/App\.tsx \[UI path changed on dev outside a merge of ui-lovable; commit [0-9a-f]{12}\]/);
  });

  it('with --pre-push, checks what each pushed ref sends under the rule of the branch pushed to', () => {
    const repo = createScratchRepo();
    const base = repo.git('rev-parse', 'HEAD').trim();
    repo.git('switch', '--quiet', '-c', 'ui-lovable');
    const tip = repo.commit('feat(ui): also a server edit', { 'src/server/app.ts': 'export const app = 7;\n' });
    const zeros = '0'.repeat(40);
    const update = runGuardCli(repo.dir, ['--pre-push', 'origin', 'https://example.invalid/repo.git'], `refs/heads/ui-lovable ${tip} refs/heads/ui-lovable ${base}\n`);
    expect(update.status).toBe(1);
    expect(update.stdout).toContain('guard: push refs/heads/ui-lovable -> refs/heads/ui-lovable (1 commit not yet on the remote)');
    expect(update.stdout).toContain('FAIL ui-branch-paths (ui-lovable rule: ui-only)\n  src/server/app.ts [not a UI path, on ui-lovable;');
    const deletion = runGuardCli(repo.dir, ['--pre-push'], `(delete) ${zeros} refs/heads/ui-lovable ${tip}\n`);
    expect(deletion).toMatchObject({ status: 0, stdout: '' });
  });

  it('exits 2 with a clear message for a bad range, and for a bad policy file', () => {
    const repo = createScratchRepo();
    const badRange = runGuardCli(repo.dir, ['--range', 'main...HEAD']);
    expect(badRange.status).toBe(2);
    expect(badRange.stderr).toContain('--range must look like BASE..HEAD');
    expect(runGuardCli(repo.dir, ['--range', 'nope..HEAD']).stderr).toContain('"nope" is not a commit');

    writeFileSync(join(repo.dir, 'bad.policy.json'), '{"workflows": {"allowWorkflowFiles": "yes"}}');
    const badPolicy = spawnSync(tsx, [guardMain, '--policy', 'bad.policy.json'], { cwd: repo.dir, encoding: 'utf8' });
    expect(badPolicy.status).toBe(2);
    expect(badPolicy.stderr).toMatch(/policy file bad\.policy\.json is invalid:\n {2}workflows\.allowWorkflowFiles: /);
    expect(badPolicy.stderr).toMatch(/ {2}ui: /);
    expect(badPolicy.stdout).toBe('');
  });
});
