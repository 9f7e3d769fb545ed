import { describe, expect, it } from 'vitest';
import { abVerdict, parseAbArgs, signTestP } from '../../bench/ab-args';

describe('npm run bench:ab: its command line', () => {
  it('defaults to HEAD as the baseline, six passes, full amounts and no settings of its own', () => {
    expect(parseAbArgs([])).toEqual({ baseline: 'HEAD', passes: 6, aEnv: {}, bEnv: {}, aNodeFlags: [], bNodeFlags: [], quick: false });
  });

  it('takes a baseline, a pass count and settings for each side (a value may contain "=")', () => {
    const args = parseAbArgs(['--baseline=main~2', '--passes=4', '--a-env=LOG_LEVEL=warn', '--b-env=EXTRA=a=b', '--b-env=LOG_LEVEL=info', '--quick']);
    expect(args).toEqual({
      baseline: 'main~2',
      passes: 4,
      aEnv: { LOG_LEVEL: 'warn' },
      bEnv: { EXTRA: 'a=b', LOG_LEVEL: 'info' },
      aNodeFlags: [],
      bNodeFlags: [],
      quick: true,
    });
  });

  it("takes Node flags for each side, one per argument, in order (they follow npm start's own)", () => {
    const args = parseAbArgs(['--b-node-flag=--max-semi-space-size=8', '--b-node-flag=--trace-gc', '--a-node-flag=--no-opt']);
    expect(args.aNodeFlags).toEqual(['--no-opt']);
    expect(args.bNodeFlags).toEqual(['--max-semi-space-size=8', '--trace-gc']);
  });

  it('refuses what it would otherwise measure wrongly or not at all', () => {
    // One pass runs A first only: no pass would show the other order.
    expect(() => parseAbArgs(['--passes=1'])).toThrow(/≥ 2/);
    expect(() => parseAbArgs(['--passes=2.5'])).toThrow(/whole number/);
    expect(() => parseAbArgs(['--a-env=LOG_LEVEL'])).toThrow(/NAME=value/);
    expect(() => parseAbArgs(['--b-env==warn'])).toThrow(/NAME=value/);
    expect(() => parseAbArgs(['--b-env=log_level=warn'])).toThrow(/upper-case/);
    expect(() => parseAbArgs(['--baseline='])).toThrow(/unknown argument/);
    expect(() => parseAbArgs(['--rounds=3'])).toThrow(/unknown argument --rounds=3/);
    // Not a flag: it would reach node as the script to run, or as the script's own argument.
    expect(() => parseAbArgs(['--b-node-flag=max-semi-space-size=8'])).toThrow(/one Node flag/);
    expect(() => parseAbArgs(['--b-node-flag='])).toThrow(/one Node flag/);
  });
});

describe('npm run bench:ab: what the passes resolve', () => {
  it('gives the two-sided sign-test chance of a split at least this uneven', () => {
    expect(signTestP(6, 0)).toBeCloseTo(2 / 64, 10);
    expect(signTestP(0, 6)).toBeCloseTo(2 / 64, 10);
    expect(signTestP(5, 1)).toBeCloseTo((2 * 7) / 64, 10);
    expect(signTestP(4, 0)).toBeCloseTo(0.125, 10);
    expect(signTestP(3, 3)).toBe(1);
    expect(signTestP(0, 0)).toBe(1);
  });

  it('compares B with A pass by pass, so a drift of the host shared by both sides cancels', () => {
    // The host slows down pass after pass; B is 5 % cheaper than A in every pass. The ranges of
    // the two sides overlap entirely, yet every pass resolves the same way.
    const a = [1.0, 1.1, 1.2, 1.3, 1.4, 1.5];
    const b = a.map((value) => value * 0.95);
    expect(abVerdict(a, b, true)).toBe(
      'B -5.0 % (passes -5.0 % to -5.0 %); B below A in 6 of 6 passes, sign test p = 0.031: B is lower (better)',
    );
    expect(abVerdict(a, b, false)).toMatch(/: B is lower \(worse\)$/);
    expect(abVerdict(b, a, true)).toMatch(/^B \+5\.3 % .*B below A in 0 of 6 passes, sign test p = 0\.031: B is higher \(worse\)$/);
  });

  it('calls nothing when the passes split, or are too few to tell chance apart', () => {
    expect(abVerdict([1, 1, 1, 1, 1, 1], [0.9, 0.9, 0.9, 0.9, 0.9, 1.01], true)).toBe(
      'B -10.0 % (passes -10.0 % to +1.0 %); B below A in 5 of 6 passes, sign test p = 0.219: no difference these passes resolve',
    );
    // Four passes all one way happen by chance one time in eight.
    expect(abVerdict([1, 1, 1, 1], [0.8, 0.8, 0.8, 0.8], true)).toMatch(/p = 0\.125: no difference these passes resolve$/);
    // A pass where both sides read the same counts for neither.
    expect(abVerdict([1, 1, 1, 1, 1, 1, 1], [1, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9], true)).toMatch(
      /^B -10\.0 % \(passes -10\.0 % to ±0\.0 %\); B below A in 6 of 7 passes, sign test p = 0\.031: B is lower/,
    );
  });

  it('refuses figures that are not one per side per pass', () => {
    expect(() => abVerdict([1, 2], [1], true)).toThrow(/one figure of each side per pass/);
    expect(() => abVerdict([], [], true)).toThrow(/one figure of each side per pass/);
  });
});
