import { parseArgs } from 'node:util';

/** Bad command-line use; main.ts prints it with the usage text. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface GuardOptions {
  range?: string;
  branch?: string;
  policy?: string;
  prePush: boolean;
  help: boolean;
}

export const usageText = `Usage: npm run guard -- [options]

  (no options)            check every tracked file (what CI runs)
  --range BASE..HEAD      check the commits in BASE..HEAD instead (e.g. origin/dev..HEAD)
  --branch NAME           branch whose UI rule applies to the range (default: the current branch)
  --policy FILE           policy file (default: guard.policy.json at the repository root)
  --pre-push              read git's pre-push lines on stdin and check what each pushed ref sends
  --help                  show this text`;

export function parseGuardArgs(argv: string[]): GuardOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        range: { type: 'string' },
        branch: { type: 'string' },
        policy: { type: 'string' },
        'pre-push': { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
      // git passes the remote's name and URL to a pre-push hook; they are not needed, the lines on stdin say it all.
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (positionals.length > 0 && !values['pre-push']) throw new UsageError(`unexpected argument: ${positionals[0]}`);
  if (values['pre-push'] && values.range) throw new UsageError('--pre-push and --range cannot be combined');
  if (values.branch && !values.range) throw new UsageError('--branch needs --range');
  return {
    prePush: values['pre-push'] ?? false,
    help: values.help ?? false,
    ...(values.range ? { range: values.range } : {}),
    ...(values.branch ? { branch: values.branch } : {}),
    ...(values.policy ? { policy: values.policy } : {}),
  };
}
