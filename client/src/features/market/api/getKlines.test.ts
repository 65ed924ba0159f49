import { describe, expect, it } from 'vitest';

import { decodeKlines, KLINE_LIMIT, mergeKline, type Kline } from '@/features/market/api/getKlines';
import { ResponseFormatError } from '@/lib/api';

const kline = (t: number, c = 100, closed = true): Kline => ({
  t,
  o: 100,
  h: Math.max(100, c),
  l: Math.min(100, c),
  c,
  v: 1,
  closed,
});

describe('decodeKlines', () => {
  it('reads the API rows', () => {
    expect(decodeKlines([{ t: 1, o: 1, h: 2, l: 0.5, c: 1.5, v: 10, closed: false }])).toEqual([
      { t: 1, o: 1, h: 2, l: 0.5, c: 1.5, v: 10, closed: false },
    ]);
  });

  it('names the field that is wrong', () => {
    expect(() =>
      decodeKlines([{ t: 1, o: 1, h: 2, l: 0.5, c: null, v: 10, closed: false }]),
    ).toThrow(new ResponseFormatError('klines[0].c: expected a number'));
  });
});

describe('mergeKline', () => {
  const base = [kline(0), kline(300_000), kline(600_000, 100, false)];

  it('moves the forming candle', () => {
    const next = mergeKline(base, kline(600_000, 104, false));
    expect(next).toHaveLength(3);
    expect(next.at(-1)?.c).toBe(104);
    expect(base.at(-1)?.c).toBe(100); // not mutated
  });

  it('appends a new candle', () => {
    const next = mergeKline(base, kline(900_000, 101, false));
    expect(next.map((k) => k.t)).toEqual([0, 300_000, 600_000, 900_000]);
  });

  it('keeps the window at the limit', () => {
    const full = Array.from({ length: KLINE_LIMIT }, (_, i) => kline(i * 300_000));
    const next = mergeKline(full, kline(KLINE_LIMIT * 300_000));
    expect(next).toHaveLength(KLINE_LIMIT);
    expect(next[0]?.t).toBe(300_000);
  });

  it('corrects an older candle it holds and ignores one it does not', () => {
    expect(mergeKline(base, kline(300_000, 99)).at(1)?.c).toBe(99);
    expect(mergeKline(base, kline(150_000))).toBe(base);
    expect(mergeKline([], kline(0))).toEqual([]);
  });
});
