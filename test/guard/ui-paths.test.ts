import { afterAll, describe, expect, it } from 'vitest';
import { uiPathsCheckName } from '../../tools/guard/checks/ui-paths';
import { createScratchRepo, guardRange, guardTree, removeScratchDirs, resultNamed, type ScratchRepo } from './support/scratch-repo';

afterAll(removeScratchDirs);

/** main → dev and ui-lovable branches from the same base commit; returns the repo on dev. */
function createBranchedRepo(): { repo: ScratchRepo; base: string } {
  const repo = createScratchRepo();
  const base = repo.git('rev-parse', 'HEAD').trim();
  repo.git('branch', 'ui-lovable');
  repo.git('switch', '--quiet', '-c', 'dev');
  return { repo, base };
}

function uiResult(repo: ScratchRepo, range: string, branch: string | null) {
  return resultNamed(guardRange(repo.dir, range, branch), uiPathsCheckName);
}

describe('UI guard: ui-lovable may only change UI paths', () => {
  it('passes UI-only commits on ui-lovable (src/web/**, public/**)', () => {
    const { repo, base } = createBranchedRepo();
    repo.git('switch', '--quiet', 'ui-lovable');
    repo.commit('feat(ui): new login screen', { 'src/web/Login.tsx': 'export {};\n', 'public/logo.svg': '<svg/>\n' });
    expect(uiResult(repo, `${base}..ui-lovable`, 'ui-lovable')).toMatchObject({ passed: true, findings: [] });
  });

  it('fails a ui-lovable commit that touches the server, naming the path and commit', () => {
    const { repo, base } = createBranchedRepo();
    repo.git('switch', '--quiet', 'ui-lovable');
    const bad = repo.commit('feat(ui): tweak', { 'src/web/App.tsx': 'export {};\n', 'src/server/app.ts': 'export const app = 9;\n' });
    const result = uiResult(repo, `${base}..ui-lovable`, 'ui-lovable');
    expect(result.passed).toBe(false);
    expect(result.findings).toEqual([expect.objectContaining({ path: 'src/server/app.ts', commit: bad })]);
  });
});

describe('UI guard: dev may change UI paths only through a merge of ui-lovable', () => {
  it('fails a direct dev commit that edits a UI file', () => {
    const { repo, base } = createBranchedRepo();
    const bad = repo.commit('fix: button colour', { 'src/web/App.tsx': 'export const App = () => 1;\n' });
    const result = uiResult(repo, `${base}..dev`, 'dev');
    expect(result.passed).toBe(false);
    expect(result.findings).toEqual([expect.objectContaining({ path: 'src/web/App.tsx', commit: bad })]);
  });

  it('passes server-only commits on dev', () => {
    const { repo, base } = createBranchedRepo();
    repo.commit('feat(auth): lockout', { 'src/server/app.ts': 'export const app = 3;\n' });
    expect(uiResult(repo, `${base}..dev`, 'dev').passed).toBe(true);
  });

  it("passes a merge of ui-lovable whose subject matches the policy (git's default message)", () => {
    const { repo, base } = createBranchedRepo();
    repo.commit('feat(auth): lockout', { 'src/server/app.ts': 'export const app = 3;\n' });
    repo.git('switch', '--quiet', 'ui-lovable');
    repo.commit('feat(ui): screens', { 'src/web/Screens.tsx': 'export {};\n' });
    repo.git('switch', '--quiet', 'dev');
    repo.git('merge', '--quiet', '--no-ff', '--no-edit', 'ui-lovable');
    expect(repo.git('log', '-1', '--format=%s')).toMatch(/^Merge branch 'ui-lovable' into dev/);
    expect(uiResult(repo, `${base}..dev`, 'dev')).toMatchObject({ passed: true, findings: [] });
  });

  it('passes a merge with any subject whose second parent is on ui-lovable', () => {
    const { repo, base } = createBranchedRepo();
    repo.git('switch', '--quiet', 'ui-lovable');
    repo.commit('feat(ui): screens', { 'src/web/Screens.tsx': 'export {};\n' });
    repo.git('switch', '--quiet', 'dev');
    repo.git('merge', '--quiet', '--no-ff', '-m', 'Bring in the new screens', 'ui-lovable');
    expect(uiResult(repo, `${base}..dev`, 'dev').passed).toBe(true);
  });

  it('fails a merge of some other branch that carries UI changes into dev', () => {
    const { repo, base } = createBranchedRepo();
    repo.git('switch', '--quiet', '-c', 'feature');
    const bad = repo.commit('feat: sneaky ui edit', { 'src/web/App.tsx': 'export const App = () => 2;\n' });
    repo.git('switch', '--quiet', 'dev');
    repo.git('merge', '--quiet', '--no-ff', '-m', 'Merge branch feature', 'feature');
    const result = uiResult(repo, `${base}..dev`, 'dev');
    expect(result.passed).toBe(false);
    expect(result.findings).toEqual([expect.objectContaining({ path: 'src/web/App.tsx', commit: bad })]);
  });

  it('fails a merge commit that itself edits a UI file (an "evil" merge)', () => {
    const { repo, base } = createBranchedRepo();
    repo.git('switch', '--quiet', '-c', 'feature');
    repo.commit('feat: server only', { 'src/server/app.ts': 'export const app = 4;\n' });
    repo.git('switch', '--quiet', 'dev');
    repo.git('merge', '--quiet', '--no-ff', '--no-commit', 'feature');
    const merge = repo.commit('Merge branch feature', { 'src/web/App.tsx': 'export const App = () => 3;\n' });
    const result = uiResult(repo, `${base}..dev`, 'dev');
    expect(result.findings).toEqual([expect.objectContaining({ path: 'src/web/App.tsx', commit: merge })]);
  });
});

describe('UI guard: when it does not apply', () => {
  it('reports PASS with a skipped note in whole-tree mode', () => {
    const { repo } = createBranchedRepo();
    repo.commit('fix: button colour', { 'src/web/App.tsx': 'export const App = () => 1;\n' });
    const result = resultNamed(guardTree(repo.dir), uiPathsCheckName);
    expect(result.passed).toBe(true);
    expect(result.note).toMatch(/skipped: whole-tree mode/);
  });

  it('reports PASS with a note for a branch the policy has no rule for', () => {
    const { repo, base } = createBranchedRepo();
    repo.commit('fix: button colour', { 'src/web/App.tsx': 'export const App = () => 1;\n' });
    expect(uiResult(repo, `${base}..HEAD`, 'wip/guard')).toMatchObject({ passed: true, note: expect.stringMatching(/no UI rule for branch wip\/guard/) });
  });
});
