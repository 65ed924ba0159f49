import { describe, expect, it } from 'vitest';

import type { Trade } from '@/features/backtest/api/backtests';
import { drawdownOf, tradeMarkers } from '@/features/backtest/utils/equity';

const M = 300_000;

function trade(over: Partial<Trade>): Trade {
  return {
    symbol: 'BTCUSDT',
    direction: 'LONG',
    entryTime: 0,
    exitTime: 0,
    entryPrice: 100,
    exitPrice: 110,
    qty: '0.5',
    pnl: '4.9',
    fees: '0.1',
    reason: 'target',
    ...over,
  };
}

describe('drawdownOf', () => {
  it('measures each point from the running peak, which starts at the initial equity', () => {
    const curve: [number, number][] = [
      [1, 9_000],
      [2, 11_000],
      [3, 9_900],
      [4, 12_000],
    ];
    const points = drawdownOf(curve, 10_000).map((p) => p.drawdownPct);
    expect(points[0]).toBeCloseTo(-10); // 9,000 against the starting 10,000
    expect(points[1]).toBe(0);
    expect(points[2]).toBeCloseTo(-10); // 9,900 against the 11,000 peak
    expect(points[3]).toBe(0);
  });
});

describe('tradeMarkers', () => {
  const candles = [0, M, 2 * M, 3 * M];

  it('marks entry and exit on their candles, in time order, for the chosen symbol only', () => {
    const markers = tradeMarkers(
      [
        trade({
          entryTime: 2 * M,
          exitTime: 3 * M,
          direction: 'SHORT',
          pnl: '-1.5',
          reason: 'stop',
        }),
        trade({ entryTime: M, exitTime: 2 * M }),
        trade({ symbol: 'ETHUSDT', entryTime: M, exitTime: 2 * M }),
      ],
      'BTCUSDT',
      candles,
    );
    expect(markers.map((m) => [m.time, m.shape])).toEqual([
      [M, 'arrowUp'],
      [2 * M, 'circle'],
      [2 * M, 'arrowDown'],
      [3 * M, 'circle'],
    ]);
    expect(markers[3]?.text).toBe('exit stop -1.50');
    expect(markers[3]?.color).not.toBe(markers[1]?.color); // a loss and a win look different
  });

  it('puts an exit at the end of the data on the last candle and leaves out times outside', () => {
    const markers = tradeMarkers(
      [trade({ entryTime: 3 * M, exitTime: 4 * M }), trade({ entryTime: -M, exitTime: 9 * M })],
      'BTCUSDT',
      candles,
    );
    expect(markers.map((m) => m.time)).toEqual([3 * M, 3 * M]);
  });
});
