import { afterAll, describe, expect, it } from 'vitest';
import { workflowFilesCheckName } from '../../tools/guard/checks/workflow-files';
import { createScratchRepo, guardRange, guardTree, loadProjectPolicy, removeScratchDirs, resultNamed } from './support/scratch-repo';

afterAll(removeScratchDirs);

const workflow = 'on: pull_request\njobs: {}\n';

describe('no files under .github/workflows (the push-scope trap)', () => {
  it('passes a tree without workflow files, even with other .github files', () => {
    const repo = createScratchRepo();
    repo.commit('docs: templates', { '.github/pull_request_template.md': '## What\n' });
    expect(resultNamed(guardTree(repo.dir), workflowFilesCheckName).passed).toBe(true);
  });

  it('fails a tree that tracks a workflow file and names it', () => {
    const repo = createScratchRepo();
    repo.commit('ci: ui guard', { '.github/workflows/pr-ui-guard.yml': workflow });
    const result = resultNamed(guardTree(repo.dir), workflowFilesCheckName);
    expect(result.passed).toBe(false);
    expect(result.findings).toEqual([expect.objectContaining({ path: '.github/workflows/pr-ui-guard.yml' })]);
  });

  it('passes when the policy allows workflow files, or lists that exact path', () => {
    const repo = createScratchRepo();
    repo.commit('ci: ui guard', { '.github/workflows/pr-ui-guard.yml': workflow });
    const policy = loadProjectPolicy();
    const allowAll = { ...policy, workflows: { allowWorkflowFiles: true, allowPaths: [] } };
    const allowOne = { ...policy, workflows: { allowWorkflowFiles: false, allowPaths: ['.github/workflows/pr-ui-guard.yml'] } };
    const allowOther = { ...policy, workflows: { allowWorkflowFiles: false, allowPaths: ['.github/workflows/other.yml'] } };
    expect(resultNamed(guardTree(repo.dir, allowAll), workflowFilesCheckName).passed).toBe(true);
    expect(resultNamed(guardTree(repo.dir, allowOne), workflowFilesCheckName).passed).toBe(true);
    expect(resultNamed(guardTree(repo.dir, allowOther), workflowFilesCheckName).passed).toBe(false);
  });

  it('in range mode, still fails after a follow-up git rm, because the adding commit is still pushed', () => {
    const repo = createScratchRepo();
    const base = repo.git('rev-parse', 'HEAD').trim();
    const adding = repo.commit('ci: ui guard', { '.github/workflows/pr-ui-guard.yml': workflow });
    repo.git('rm', '--quiet', '.github/workflows/pr-ui-guard.yml');
    repo.commit('ci: remove workflow again');
    expect(guardTree(repo.dir).every((result) => result.passed)).toBe(true); // the tree is clean…
    const result = resultNamed(guardRange(repo.dir, `${base}..HEAD`, 'dev'), workflowFilesCheckName);
    expect(result.passed).toBe(false); // …but the push is not
    expect(result.findings).toContainEqual(expect.objectContaining({ path: '.github/workflows/pr-ui-guard.yml', commit: adding }));
  });

  it('in range mode, passes once the adding commit is rewritten out of the range', () => {
    const repo = createScratchRepo();
    const base = repo.git('rev-parse', 'HEAD').trim();
    repo.commit('feat: server change', { 'src/server/app.ts': 'export const app = 2;\n' });
    repo.commit('ci: ui guard', { '.github/workflows/pr-ui-guard.yml': workflow });
    repo.git('reset', '--quiet', '--hard', 'HEAD~1'); // the docs' recovery: drop the commit that added it
    expect(resultNamed(guardRange(repo.dir, `${base}..HEAD`, 'dev'), workflowFilesCheckName).passed).toBe(true);
  });
});
