import { describe, expect, it } from 'vitest';

import {
  decimalsFromMagnitude,
  decimalsFromTickSize,
  formatAge,
  formatDuration,
  formatPercent,
  formatPrice,
  formatR,
  percentChange,
} from '@/lib/format';

describe('decimalsFromTickSize', () => {
  it.each([
    ['0.10', 2],
    ['0.01', 2],
    ['0.0100', 4],
    ['0.000010', 6],
    ['0.1', 1],
    ['1', 0],
    ['10', 0],
    // Spot pads every tick size to eight decimals: the padding is not precision.
    ['0.01000000', 2],
    ['0.00000100', 6],
    ['1.00000000', 0],
  ])('%s -> %i decimals', (tick, decimals) => {
    expect(decimalsFromTickSize(tick)).toBe(decimals);
  });

  it.each([null, undefined, '', 'abc', '0', '-0.1', '0.0.1'])('rejects %j', (tick) => {
    expect(decimalsFromTickSize(tick)).toBeNull();
  });
});

describe('decimalsFromMagnitude', () => {
  it('keeps five significant digits, at least two decimals', () => {
    expect(decimalsFromMagnitude(65000.12)).toBe(2);
    expect(decimalsFromMagnitude(123.456)).toBe(2);
    expect(decimalsFromMagnitude(1.23456)).toBe(4);
    expect(decimalsFromMagnitude(0.0123456)).toBe(6);
    expect(decimalsFromMagnitude(0.00001234)).toBe(8);
    expect(decimalsFromMagnitude(0)).toBe(2);
  });
});

describe('formatPrice', () => {
  it('follows the tick size', () => {
    expect(formatPrice(65000.1, '0.10')).toBe('65,000.10');
    expect(formatPrice(2972.2, '0.01')).toBe('2,972.20');
    expect(formatPrice(0.0041372, '0.0000001')).toBe('0.0041372');
    expect(formatPrice(1.5, '1')).toBe('2');
  });

  it('falls back to significant digits without a tick size', () => {
    expect(formatPrice(65000.123, null)).toBe('65,000.12');
    expect(formatPrice(0.00412345678)).toBe('0.0041235');
  });
});

describe('percentages and R', () => {
  it('formats signed distances', () => {
    expect(formatPercent(percentChange(100, 98.5), { signed: true })).toBe('-1.50%');
    expect(formatPercent(percentChange(100, 102.5), { signed: true })).toBe('+2.50%');
    expect(formatPercent(0, { signed: true })).toBe('0.00%');
    expect(formatR(1.666)).toBe('+1.67R');
    expect(formatR(-1)).toBe('-1.00R');
  });
});

describe('formatAge and formatDuration', () => {
  it.each([
    [0, '0s'],
    [-5000, '0s'],
    [45_000, '45s'],
    [185_000, '3m 05s'],
    [2 * 3600_000 + 7 * 60_000, '2h 07m'],
    [3 * 86_400_000 + 4 * 3600_000, '3d 4h'],
  ])('%i ms -> %s', (ms, text) => {
    expect(formatAge(ms)).toBe(text);
  });

  it('reads milliseconds, then seconds', () => {
    expect(formatDuration(812.5)).toBe('813 ms');
    expect(formatDuration(12_345)).toBe('12.3 s');
  });
});
