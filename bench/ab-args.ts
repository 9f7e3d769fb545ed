import { passCount } from './lib/pass-count';
import { median } from './lib/rounds';

/**
 * The command line of `npm run bench:ab` and the verdict it prints, apart from the processes it
 * runs, so both can be tested without a database.
 */
export interface AbArgs {
  /** The commit whose server bundle is side A. */
  baseline: string;
  passes: number;
  /** Settings given to one side only (`--a-env=LOG_LEVEL=warn`), on top of the bench's. */
  aEnv: Record<string, string>;
  bEnv: Record<string, string>;
  /**
   * Node flags given to one side only (`--b-node-flag=--max-semi-space-size=8`), after the ones
   * `npm start` uses: V8 takes the last value of a flag, so one of `npm start`'s can be changed.
   */
  aNodeFlags: string[];
  bNodeFlags: string[];
  quick: boolean;
}

export const AB_USAGE =
  'use --baseline=<git ref> (HEAD), --passes=N (6), --a-env=NAME=value, --b-env=NAME=value, --a-node-flag=--flag[=value], --b-node-flag=--flag[=value], --quick';

const ENV_NAME = /^[A-Z][A-Z0-9_]*$/;

function envArg(arg: string, flag: string, into: Record<string, string>): void {
  const assignment = arg.slice(flag.length + 1);
  const equals = assignment.indexOf('=');
  const name = equals > 0 ? assignment.slice(0, equals) : '';
  if (!ENV_NAME.test(name)) throw new Error(`${flag} needs NAME=value with an upper-case NAME, not ${arg}`);
  into[name] = assignment.slice(equals + 1);
}

function nodeFlagArg(arg: string, flag: string, into: string[]): void {
  const value = arg.slice(flag.length + 1);
  if (!/^--?[a-z]/.test(value)) throw new Error(`${flag} needs one Node flag such as --max-semi-space-size=8, not ${arg}`);
  into.push(value);
}

export function parseAbArgs(argv: readonly string[]): AbArgs {
  const args: AbArgs = { baseline: 'HEAD', passes: 6, aEnv: {}, bEnv: {}, aNodeFlags: [], bNodeFlags: [], quick: false };
  for (const arg of argv) {
    if (arg === '--quick') args.quick = true;
    else if (arg.startsWith('--baseline=') && arg.length > '--baseline='.length) args.baseline = arg.slice('--baseline='.length);
    // Two passes are the fewest that run each side first once.
    else if (arg.startsWith('--passes=')) args.passes = passCount(arg, 2);
    else if (arg.startsWith('--a-env=')) envArg(arg, '--a-env', args.aEnv);
    else if (arg.startsWith('--b-env=')) envArg(arg, '--b-env', args.bEnv);
    else if (arg.startsWith('--a-node-flag=')) nodeFlagArg(arg, '--a-node-flag', args.aNodeFlags);
    else if (arg.startsWith('--b-node-flag=')) nodeFlagArg(arg, '--b-node-flag', args.bNodeFlags);
    else throw new Error(`unknown argument ${arg}: ${AB_USAGE}`);
  }
  return args;
}

/** Two-sided sign test: the chance of a split at least this uneven if each pass were a coin toss. */
export function signTestP(below: number, above: number): number {
  const n = below + above;
  if (n === 0) return 1;
  const k = Math.min(below, above);
  let tail = 0;
  for (let i = 0; i <= k; i += 1) tail += binomial(n, i);
  return Math.min(1, (2 * tail) / 2 ** n);
}

function binomial(n: number, k: number): number {
  let result = 1;
  for (let i = 1; i <= k; i += 1) result = (result * (n - k + i)) / i;
  return result;
}

/** Below this sign-test chance a difference is called. */
export const AB_SIGNIFICANCE = 0.05;

/**
 * What the passes resolve about one figure, with `a[i]` and `b[i]` measured in the same pass
 * (side by side, minutes apart): the passes' own B ÷ A, so the host's drift from pass to pass
 * cancels, and a sign test on how many passes put B below A. A difference is called only when
 * that split is unlikely by chance (p < 0.05: at least 6 passes, all one way); otherwise the
 * line says the passes do not resolve one.
 */
export function abVerdict(a: readonly number[], b: readonly number[], lowerIsBetter: boolean): string {
  if (a.length !== b.length || a.length === 0) throw new Error('abVerdict needs one figure of each side per pass');
  const changes = a.map((value, i) => (b[i]! / value - 1) * 100);
  const below = changes.filter((change) => change < 0).length;
  const above = changes.filter((change) => change > 0).length;
  const p = signTestP(below, above);
  const percent = (change: number) => {
    const shown = Math.abs(change).toFixed(1);
    return `${shown === '0.0' ? '±' : change > 0 ? '+' : '-'}${shown} %`;
  };
  const head = `B ${percent(median(changes))} (passes ${percent(Math.min(...changes))} to ${percent(Math.max(...changes))}); B below A in ${below} of ${changes.length} passes, sign test p = ${p.toFixed(3)}`;
  if (p >= AB_SIGNIFICANCE) return `${head}: no difference these passes resolve`;
  const better = below > above === lowerIsBetter;
  return `${head}: B is ${below > above ? 'lower' : 'higher'} (${better ? 'better' : 'worse'})`;
}
