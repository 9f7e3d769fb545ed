import { afterAll, describe, expect, it } from 'vitest';
import { branchOfRemoteRef, describePushedRange, parsePrePushInput } from '../../tools/guard/pre-push';
import { createScratchRepo, removeScratchDirs } from './support/scratch-repo';

afterAll(removeScratchDirs);

const zeros = '0'.repeat(40);

describe('pre-push input', () => {
  it('reads the four fields of each line git writes to the hook', () => {
    const input = `refs/heads/dev ${'a'.repeat(40)} refs/heads/dev ${zeros}\n\n`;
    expect(parsePrePushInput(input)).toEqual([{ localRef: 'refs/heads/dev', localSha: 'a'.repeat(40), remoteRef: 'refs/heads/dev', remoteSha: zeros }]);
  });

  it('takes the UI rule from the remote branch being pushed to', () => {
    expect(branchOfRemoteRef('refs/heads/ui-lovable')).toBe('ui-lovable');
    expect(branchOfRemoteRef('refs/tags/v1.0.0')).toBeNull();
  });

  it('checks commits after the remote tip for an update, commits on no remote for a new branch, nothing for a deletion', () => {
    const repo = createScratchRepo();
    const remoteTip = repo.git('rev-parse', 'HEAD').trim();
    const localTip = repo.commit('feat: next', { 'src/server/next.ts': 'export {};\n' });
    const push = (localSha: string, remoteSha: string) =>
      describePushedRange(repo.dir, { localRef: 'refs/heads/dev', localSha, remoteRef: 'refs/heads/dev', remoteSha });
    expect(push(localTip, remoteTip)).toMatchObject({ head: localTip, exclude: [remoteTip] });
    expect(push(localTip, zeros)).toMatchObject({ head: localTip, exclude: ['--remotes'] });
    expect(push(localTip, 'f'.repeat(40))).toMatchObject({ exclude: ['--remotes'] }); // remote tip we never fetched
    expect(push(zeros, remoteTip)).toBeNull();
  });
});
