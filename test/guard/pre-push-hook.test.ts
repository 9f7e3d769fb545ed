import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { edgeSnippets } from './support/fixtures';
import { makeScratchDir, openRepo, projectRoot, removeScratchDirs } from './support/scratch-repo';
import { CHILD_PROCESS_TEST_TIMEOUT_MS } from '../support/timeouts';

afterAll(removeScratchDirs);

const packageJson = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8'));

// The files that make up the guard and its hook: copied over the clone so the test exercises the
// code in this working tree, not only what was last committed.
const guardFiles = ['package.json', 'guard.policy.json', 'tools/guard', '.githooks'];

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('pre-push hook in a fresh clone', { timeout: CHILD_PROCESS_TEST_TIMEOUT_MS }, () => {
  it("is installed by package.json's prepare script, and that script cannot fail outside a git checkout", () => {
    expect(packageJson.scripts.prepare).toBe('git config core.hooksPath .githooks || true');
    expect(statSync(join(projectRoot, '.githooks/pre-push')).mode & 0o111).not.toBe(0);

    const notARepo = makeScratchDir('guard-no-git-');
    writeFileSync(join(notARepo, 'package.json'), JSON.stringify({ name: 'x', private: true, scripts: { prepare: packageJson.scripts.prepare } }));
    // Stop git from finding a repository above the scratch folder.
    const result = run('npm', ['run', '--silent', 'prepare'], notARepo, { ...process.env, GIT_CEILING_DIRECTORIES: dirname(notARepo) });
    expect(result.status).toBe(0);
    expect(existsSync(join(notARepo, '.git'))).toBe(false);
  });

  it('blocks a push that adds supabase/functions/x/index.ts, and --no-verify bypasses it', () => {
    const work = makeScratchDir('guard-push-');
    const cloneDir = join(work, 'clone');
    const remoteDir = join(work, 'remote.git');
    expect(run('git', ['clone', '--quiet', projectRoot, cloneDir], work).status).toBe(0);
    expect(run('git', ['init', '--quiet', '--bare', remoteDir], work).status).toBe(0);
    const clone = openRepo(cloneDir);
    clone.git('config', 'user.name', 'Guard Test');
    clone.git('config', 'user.email', 'guard-test@example.invalid');
    for (const path of guardFiles) cpSync(join(projectRoot, path), join(cloneDir, path), { recursive: true });
    clone.git('add', '-A', '--', ...guardFiles);
    if (run('git', ['diff', '--cached', '--quiet'], cloneDir).status !== 0) clone.git('commit', '--quiet', '-m', 'test: current guard files');

    expect(run('git', ['config', 'core.hooksPath'], cloneDir).status).toBe(1); // not set by the clone itself
    expect(run('npm', ['run', '--silent', 'prepare'], cloneDir).status).toBe(0);
    expect(clone.git('config', 'core.hooksPath').trim()).toBe('.githooks');

    // A full npm install is slow; the hook only needs tsx and the guard's dependencies to resolve.
    symlinkSync(join(projectRoot, 'node_modules'), join(cloneDir, 'node_modules'), 'dir');
    clone.git('remote', 'add', 'backup', remoteDir);

    clone.write('src/server/hello.ts', 'export const hello = 1;\n');
    clone.git('add', 'src/server/hello.ts');
    clone.git('commit', '--quiet', '-m', 'feat: a clean change');
    const cleanPush = run('git', ['push', 'backup', 'HEAD:refs/heads/dev'], cloneDir);
    expect(cleanPush.stderr).toContain('guard: all 4 checks passed');
    expect(cleanPush.status).toBe(0);

    clone.write('supabase/functions/x/index.ts', edgeSnippets.denoServe);
    clone.git('add', 'supabase');
    clone.git('commit', '--quiet', '-m', 'feat: edge function');
    const blocked = run('git', ['push', 'backup', 'HEAD:refs/heads/dev'], cloneDir);
    expect(blocked.status).not.toBe(0);
    expect(blocked.stderr).toContain('guard: push HEAD -> refs/heads/dev (1 commit not yet on the remote)');
    expect(blocked.stderr).toContain('FAIL no-supabase-edge-functions');
    expect(blocked.stderr).toContain('  supabase/functions/x/index.ts');
    expect(blocked.stderr).toContain('git push --no-verify');
    const localHead = clone.git('rev-parse', 'HEAD').trim();
    expect(run('git', ['rev-parse', 'refs/heads/dev'], remoteDir).stdout.trim()).not.toBe(localHead);

    const bypassed = run('git', ['push', '--no-verify', 'backup', 'HEAD:refs/heads/dev'], cloneDir);
    expect(bypassed.status).toBe(0);
    expect(bypassed.stderr).not.toContain('FAIL');
    expect(run('git', ['rev-parse', 'refs/heads/dev'], remoteDir).stdout.trim()).toBe(localHead);
  });
});
