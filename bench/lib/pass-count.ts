/** The value of a `--passes=N` argument: a whole number of at least `least`, or an error naming the argument. */
export function passCount(arg: string, least: number): number {
  const passes = Number(arg.slice('--passes='.length));
  if (!Number.isInteger(passes) || passes < least) throw new Error(`--passes needs a whole number ≥ ${least}, not ${arg}`);
  return passes;
}
