import { describe, expect, it } from 'vitest';
import { median, sideOrder, spread } from '../../bench/lib/rounds';

describe('bench round statistics', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
    expect(median([])).toBeNaN();
  });

  it('gives the median with the smallest and largest round', () => {
    expect(spread([120, 100, 180])).toEqual({ median: 120, min: 100, max: 180, rounds: 3 });
  });

  it('leaves out rounds without a figure (NaN) instead of poisoning the median', () => {
    expect(spread([Number.NaN, 10, 30])).toEqual({ median: 20, min: 10, max: 30, rounds: 2 });
    expect(spread([Number.NaN]).rounds).toBe(0);
  });

  it('alternates which server goes first: A B, B A, A B', () => {
    const order = [0, 1, 2].flatMap((round) => sideOrder(['A', 'B'], round));
    expect(order).toEqual(['A', 'B', 'B', 'A', 'A', 'B']);
    expect(sideOrder(['P', 'B', 'C'], 1)).toEqual(['C', 'B', 'P']);
  });
});
