import { describe, expect, it } from 'vitest';

import { bollinger, ema } from '@/features/market/utils/indicators';

describe('ema', () => {
  it('starts from the simple average of the first period values', () => {
    // period 3: alpha 0.5; SMA(1, 2, 3) = 2, then halfway towards each new value.
    expect(ema([1, 2, 3, 4, 5, 6], 3)).toEqual([null, null, 2, 3, 4, 5]);
  });

  it('matches the recursive definition on irregular data', () => {
    const values = [10, 11, 9, 14, 13, 15, 12, 16];
    const period = 4;
    const alpha = 2 / (period + 1);
    let expected = (10 + 11 + 9 + 14) / 4;
    const out = ema(values, period);
    expect(out[3]).toBeCloseTo(expected, 12);
    for (let i = 4; i < values.length; i++) {
      expected = alpha * (values[i] ?? 0) + (1 - alpha) * expected;
      expect(out[i]).toBeCloseTo(expected, 12);
    }
  });

  it('is all null without enough data', () => {
    expect(ema([1, 2], 3)).toEqual([null, null]);
    expect(ema([], 9)).toEqual([]);
  });
});

describe('bollinger', () => {
  it('uses the population standard deviation', () => {
    const { upper, middle, lower } = bollinger([1, 2, 3, 4, 5], 5, 2);
    expect(middle).toEqual([null, null, null, null, 3]);
    expect(upper[4]).toBeCloseTo(3 + 2 * Math.sqrt(2), 12);
    expect(lower[4]).toBeCloseTo(3 - 2 * Math.sqrt(2), 12);
  });

  it('collapses onto a constant series and rolls its window', () => {
    const bands = bollinger([7, 7, 7, 7, 1], 4, 2);
    expect(bands.upper[3]).toBe(7);
    expect(bands.lower[3]).toBe(7);
    expect(bands.middle[4]).toBe((7 + 7 + 7 + 1) / 4);
  });
});
