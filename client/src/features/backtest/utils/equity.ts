/**
 * The equity curve's drawdown, and the markers of trades on a candle chart. Pure.
 */
import type { Trade } from '@/features/backtest/api/backtests';

export interface DrawdownPoint {
  time: number;
  /** Percent below the running peak (0 or negative); the peak starts at the initial equity. */
  drawdownPct: number;
}

export function drawdownOf(
  curve: readonly [number, number][],
  initialEquity: number,
): DrawdownPoint[] {
  let peak = initialEquity;
  return curve.map(([time, equity]) => {
    peak = Math.max(peak, equity);
    return { time, drawdownPct: peak > 0 ? (equity / peak - 1) * 100 : 0 };
  });
}

export interface TradeMarker {
  time: number;
  position: 'aboveBar' | 'belowBar';
  shape: 'arrowUp' | 'arrowDown' | 'circle';
  color: string;
  text: string;
}

const COLORS = { long: '#2f9e44', short: '#e03131', win: '#1c7ed6', loss: '#f08c00' };

/**
 * An entry and an exit marker per trade of `symbol`, placed on the candle each happened in (fills
 * carry their candle's open time; the exit of a position closed when the data ended carries the
 * last candle's close time), sorted by time as the chart library requires. Times outside the
 * candles are left out.
 * On one candle, exits come before entries.
 */
export function tradeMarkers(
  trades: readonly Trade[],
  symbol: string,
  candleTimes: readonly number[],
): TradeMarker[] {
  if (candleTimes.length === 0) return [];
  const first = candleTimes[0] ?? 0;
  const last = candleTimes[candleTimes.length - 1] ?? 0;
  const step = candleTimes.length > 1 ? (candleTimes[1] ?? 0) - first : 0;
  const candleOf = (t: number): number | null => {
    if (t < first || t > last + step) return null;
    // Binary search: the last candle opening at or before t.
    let lo = 0;
    let hi = candleTimes.length - 1;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if ((candleTimes[mid] ?? 0) <= t) lo = mid;
      else hi = mid - 1;
    }
    return candleTimes[lo] ?? null;
  };
  const markers: TradeMarker[] = [];
  for (const trade of trades) {
    if (trade.symbol !== symbol) continue;
    const long = trade.direction === 'LONG';
    const entry = candleOf(trade.entryTime);
    if (entry !== null) {
      markers.push({
        time: entry,
        position: long ? 'belowBar' : 'aboveBar',
        shape: long ? 'arrowUp' : 'arrowDown',
        color: long ? COLORS.long : COLORS.short,
        text: `${trade.direction} ${trade.qty} @ ${trade.entryPrice}`,
      });
    }
    const exit = candleOf(trade.exitTime);
    if (exit !== null) {
      const won = Number(trade.pnl) > 0;
      markers.push({
        time: exit,
        position: long ? 'aboveBar' : 'belowBar',
        shape: 'circle',
        color: won ? COLORS.win : COLORS.loss,
        text: `exit ${trade.reason} ${Number(trade.pnl).toFixed(2)}`,
      });
    }
  }
  // On one candle an exit reads before the entry it made room for.
  const rank = (m: TradeMarker) => (m.shape === 'circle' ? 0 : 1);
  return markers.sort((a, b) => a.time - b.time || rank(a) - rank(b));
}
