import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePolicy, PolicyError } from '../../tools/guard/policy';
import { projectRoot } from './support/scratch-repo';

const projectPolicyText = readFileSync(join(projectRoot, 'guard.policy.json'), 'utf8');

function policyErrorFor(text: string): string {
  try {
    parsePolicy(text, 'guard.policy.json');
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyError);
    return (error as Error).message;
  }
  throw new Error('expected a PolicyError');
}

function withChange(change: (policy: any) => void): string {
  const policy = JSON.parse(projectPolicyText);
  change(policy);
  return JSON.stringify(policy);
}

describe('guard policy file', () => {
  it('accepts the checked-in policy: no workflow files, ui-lovable and dev branches, UI globs', () => {
    const policy = parsePolicy(projectPolicyText, 'guard.policy.json');
    expect(policy.workflows.allowWorkflowFiles).toBe(false);
    expect(policy.ui).toMatchObject({ uiBranch: 'ui-lovable', devBranch: 'dev' });
    expect(policy.ui.uiPaths).toEqual(expect.arrayContaining(['src/web/**', 'public/**']));
  });

  it('refuses text that is not JSON, naming the file', () => {
    expect(policyErrorFor('{ nope')).toMatch(/guard\.policy\.json is not valid JSON/);
  });

  it('refuses an unknown key, so a typo cannot silently switch a rule off', () => {
    const message = policyErrorFor(withChange((policy) => (policy.workflows.allowWorkflowFile = true)));
    expect(message).toMatch(/guard\.policy\.json is invalid/);
    expect(message).toMatch(/workflows/);
  });

  it('refuses a merge subject pattern that is not a regular expression', () => {
    const message = policyErrorFor(withChange((policy) => (policy.ui.devMayMergeUi.subjectPattern = '^Merge (')));
    expect(message).toMatch(/ui\.devMayMergeUi\.subjectPattern: not a valid regular expression/);
  });

  it('refuses a secrets allow entry without a reason or with a too-short literal', () => {
    const message = policyErrorFor(withChange((policy) => (policy.secrets.allow = [{ path: 'a.ts', contains: 'AC' }])));
    expect(message).toMatch(/secrets\.allow\.0\.contains/);
    expect(message).toMatch(/secrets\.allow\.0\.reason/);
  });
});
