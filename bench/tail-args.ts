import { passCount } from './lib/pass-count';

/** The command line of `npm run bench:tail`, apart from the processes it runs, so it can be tested without a database. */
export interface TailArgs {
  passes: number;
  quick: boolean;
}

export const TAIL_USAGE = 'use --passes=N (2), --quick';

export function parseTailArgs(argv: readonly string[]): TailArgs {
  const args: TailArgs = { passes: 2, quick: false };
  for (const arg of argv) {
    if (arg === '--quick') args.quick = true;
    else if (arg.startsWith('--passes=')) args.passes = passCount(arg, 1);
    else throw new Error(`unknown argument ${arg}: ${TAIL_USAGE}`);
  }
  return args;
}
