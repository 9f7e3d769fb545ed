import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** Raised for a missing, unreadable or invalid policy file; main.ts prints its message alone. */
export class PolicyError extends Error {
  override name = 'PolicyError';
}

const regexSource = z.string().min(1).refine(isValidRegex, { message: 'not a valid regular expression' });

const mergeRuleSchema = z.strictObject({
  /** A merge whose subject matches this is an allowed merge of the other branch. */
  subjectPattern: regexSource,
  /** Also allow a merge whose second parent is reachable from the other branch (local or remote-tracking). */
  secondParentOnBranch: z.boolean().default(true),
});

const policySchema = z.strictObject({
  $comment: z.string().optional(),
  workflows: z
    .strictObject({
      // Pushing .github/workflows/* needs a token with the `workflow` scope; off by default so pushes never need it.
      allowWorkflowFiles: z.boolean().default(false),
      allowPaths: z.array(z.string().min(1)).default([]),
    })
    .default({ allowWorkflowFiles: false, allowPaths: [] }),
  ui: z.strictObject({
    uiBranch: z.string().min(1),
    devBranch: z.string().min(1),
    uiPaths: z.array(z.string().min(1)).min(1),
    devMayMergeUi: mergeRuleSchema,
    uiMayMergeDev: mergeRuleSchema.optional(),
  }),
  secrets: z
    .strictObject({
      // Each entry silences one known, documented fixture: an exact path AND a literal the finding must contain.
      allow: z
        .array(
          z.strictObject({
            path: z.string().min(1),
            contains: z.string().min(8),
            reason: z.string().min(1),
          }),
        )
        .default([]),
    })
    .default({ allow: [] }),
});

export type Policy = z.infer<typeof policySchema>;
export type MergeRule = z.infer<typeof mergeRuleSchema>;

export const defaultPolicyFileName = 'guard.policy.json';

export function loadPolicy(policyPath: string): Policy {
  let text: string;
  try {
    text = readFileSync(policyPath, 'utf8');
  } catch (error) {
    throw new PolicyError(`guard: cannot read policy file ${policyPath}: ${(error as Error).message}`);
  }
  return parsePolicy(text, policyPath);
}

export function parsePolicy(text: string, policyPath: string): Policy {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new PolicyError(`guard: policy file ${policyPath} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = policySchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new PolicyError([`guard: policy file ${policyPath} is invalid:`, ...problems].join('\n'));
  }
  return parsed.data;
}

function isValidRegex(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}
