/** `--email a@b --admin` → { email: 'a@b', admin: true }. Unknown flags are refused by the command. */
export function parseFlags(argv: string[]): Record<string, string | true> {
  const flags: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) throw new CliError(`unexpected argument: ${arg}`);
    const [name, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
    if (inline !== undefined) flags[name] = inline;
    else if (argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--')) flags[name] = argv[++i]!;
    else flags[name] = true;
  }
  return flags;
}

export class CliError extends Error {
  /** 1: the command failed; 2: refused before anything was written (DATA_DIR is owned by another process). */
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export function requireFlag(flags: Record<string, string | true>, name: string): string {
  const value = flags[name];
  if (typeof value !== 'string' || value.length === 0) throw new CliError(`--${name} <value> is required`);
  return value;
}

export function onlyFlags(flags: Record<string, string | true>, allowed: string[]): void {
  for (const name of Object.keys(flags)) {
    if (!allowed.includes(name)) throw new CliError(`unknown option --${name} (allowed: ${allowed.map((a) => `--${a}`).join(', ')})`);
  }
}
