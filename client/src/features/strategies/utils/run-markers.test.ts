import { describe, expect, it } from 'vitest';

import type { RunFill } from '@/features/strategies/api/run-context';
import type { RunDecision } from '@/features/strategies/api/runs';
import { MARKER_COLORS, candleOf, runMarkers } from '@/features/strategies/utils/run-markers';

const M5 = 300_000;
const T0 = 1_764_000_000_000; // a 5m boundary (divisible by 300,000)
const CANDLES = [T0, T0 + M5, T0 + 2 * M5, T0 + 3 * M5];

function decision(over: Partial<RunDecision>): RunDecision {
  return {
    id: 1,
    symbol: 'BTCUSDT',
    candleTime: T0 + M5,
    kind: 'open',
    payload: { direction: 'LONG' },
    outcome: '',
    orderId: 7,
    clientOrderId: 's3-x',
    orderStatus: 'FILLED',
    at: T0 + 2 * M5,
    ...over,
  };
}

function fill(over: Partial<RunFill>): RunFill {
  return {
    tradeId: 1,
    orderId: 7,
    symbol: 'BTCUSDT',
    side: 'BUY',
    price: 43000.5,
    quantity: '0.01',
    timeMs: T0 + 2 * M5 + 1_500,
    tag: 's3',
    ...over,
  };
}

describe('candleOf', () => {
  it('finds the candle whose span holds the time', () => {
    expect(candleOf(CANDLES, T0)).toBe(T0);
    expect(candleOf(CANDLES, T0 + M5 - 1)).toBe(T0);
    expect(candleOf(CANDLES, T0 + M5)).toBe(T0 + M5);
    // After the last candle shown: on the last one.
    expect(candleOf(CANDLES, T0 + 10 * M5)).toBe(T0 + 3 * M5);
    expect(candleOf(CANDLES, T0 - 1)).toBeNull();
    expect(candleOf([], T0)).toBeNull();
  });
});

describe('runMarkers', () => {
  it('draws an open LONG under its candle and its fill on the candle it happened in', () => {
    const markers = runMarkers({
      symbol: 'BTCUSDT',
      tag: 's3',
      candleTimes: CANDLES,
      decisions: [decision({})],
      fills: [fill({})],
    });
    expect(markers).toEqual([
      {
        time: T0 + M5,
        position: 'belowBar',
        shape: 'arrowUp',
        color: MARKER_COLORS.long,
        text: 'open LONG',
      },
      {
        time: T0 + 2 * M5,
        position: 'belowBar',
        shape: 'circle',
        color: MARKER_COLORS.buy,
        text: 'BUY 0.01 @ 43000.5',
      },
    ]);
  });

  it('draws shorts above, closes as squares, refused decisions grey with why', () => {
    const markers = runMarkers({
      symbol: 'BTCUSDT',
      tag: 's3',
      candleTimes: CANDLES,
      decisions: [
        decision({ id: 3, candleTime: T0 + 3 * M5, kind: 'close', payload: { direction: 'ANY' } }),
        decision({
          id: 2,
          candleTime: T0,
          payload: { direction: 'SHORT' },
          outcome: 'not placed: risk',
        }),
      ],
      fills: [],
    });
    expect(markers.map((m) => [m.time, m.position, m.shape, m.color, m.text])).toEqual([
      [T0, 'aboveBar', 'arrowDown', MARKER_COLORS.refused, 'open SHORT (not placed)'],
      [T0 + 3 * M5, 'aboveBar', 'square', MARKER_COLORS.close, 'close ANY'],
    ]);
  });

  it("leaves out other symbols, other tags' fills and what is before the candles shown", () => {
    const markers = runMarkers({
      symbol: 'BTCUSDT',
      tag: 's3',
      candleTimes: CANDLES,
      decisions: [decision({ symbol: 'ETHUSDT' }), decision({ candleTime: T0 - M5 })],
      fills: [
        fill({ tag: 'm' }),
        fill({ tag: 's31' }),
        fill({ symbol: 'ETHUSDT' }),
        fill({ timeMs: T0 - 1 }),
      ],
    });
    expect(markers).toEqual([]);
    expect(
      runMarkers({
        symbol: 'BTCUSDT',
        tag: 's3',
        candleTimes: [],
        decisions: [decision({})],
        fills: [],
      }),
    ).toEqual([]);
  });

  it('puts the markers in time order whatever order they came in', () => {
    const markers = runMarkers({
      symbol: 'BTCUSDT',
      tag: 's3',
      candleTimes: CANDLES,
      decisions: [
        decision({ id: 2, candleTime: T0 + 3 * M5 }),
        decision({ id: 1, candleTime: T0 }),
      ],
      fills: [fill({ side: 'SELL', timeMs: T0 + M5 + 10 })],
    });
    expect(markers.map((m) => m.time)).toEqual([T0, T0 + M5, T0 + 3 * M5]);
    expect(markers[1]).toMatchObject({ position: 'aboveBar', color: MARKER_COLORS.sell });
  });
});
