/**
 * A run's decisions and fills as markers on the candle chart of one symbol. Pure: times in epoch
 * ms; the chart component converts them.
 *
 * - A decision is drawn on the candle that made it (its `candle_time`, an open time): an open
 *   LONG below the bar pointing up, an open SHORT above it pointing down, a close or cancel above
 *   it. A decision whose order was not placed (risk limit, filters, ...) is drawn grey with why.
 * - A fill of the run's orders (the fill's tag is the run's) is a dot on the candle whose time
 *   span holds the fill's time: a buy below the bar, a sell above it.
 *
 * lightweight-charts wants markers in time order and on a bar it has, so every marker is put on
 * a candle of `candleTimes`, and markers before the candles shown are left out. A fill after the
 * last candle shown (its own candle has not closed yet) sits on that last candle.
 */
import type { RunFill } from '@/features/strategies/api/run-context';
import type { RunDecision } from '@/features/strategies/api/runs';

export interface RunMarker {
  /** Open time (ms) of the candle it sits on. */
  time: number;
  position: 'aboveBar' | 'belowBar';
  shape: 'arrowUp' | 'arrowDown' | 'circle' | 'square';
  color: string;
  text: string;
}

export const MARKER_COLORS = {
  long: '#2f9e44',
  short: '#e03131',
  close: '#f08c00',
  refused: '#868e96',
  buy: '#1c7ed6',
  sell: '#ae3ec9',
} as const;

/** The open time of the candle that holds `time`: the last open time <= time (null: before all). */
export function candleOf(candleTimes: readonly number[], time: number): number | null {
  let lo = 0;
  let hi = candleTimes.length - 1;
  let found: number | null = null;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const t = candleTimes[mid] ?? 0;
    if (t <= time) {
      found = t;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

function decisionMarker(d: RunDecision): Omit<RunMarker, 'time'> {
  const refused = d.outcome !== '';
  const direction = typeof d.payload.direction === 'string' ? d.payload.direction : '';
  let marker: Omit<RunMarker, 'time'>;
  if (d.kind === 'open' && direction === 'SHORT') {
    marker = { position: 'aboveBar', shape: 'arrowDown', color: MARKER_COLORS.short, text: '' };
  } else if (d.kind === 'open') {
    marker = { position: 'belowBar', shape: 'arrowUp', color: MARKER_COLORS.long, text: '' };
  } else {
    marker = { position: 'aboveBar', shape: 'square', color: MARKER_COLORS.close, text: '' };
  }
  const label = [d.kind, direction].filter(Boolean).join(' ');
  return {
    ...marker,
    color: refused ? MARKER_COLORS.refused : marker.color,
    text: refused ? `${label} (not placed)` : label,
  };
}

export function runMarkers({
  symbol,
  tag,
  candleTimes,
  decisions,
  fills,
}: {
  symbol: string;
  /** The run's order tag (`s<id>`): only its fills are drawn. */
  tag: string;
  /** Open times of the candles on the chart, ascending. */
  candleTimes: readonly number[];
  decisions: readonly RunDecision[];
  fills: readonly RunFill[];
}): RunMarker[] {
  const first = candleTimes[0];
  if (first === undefined) return [];
  const shown = new Set(candleTimes);
  const markers: RunMarker[] = [];
  for (const d of decisions) {
    if (d.symbol !== symbol || !shown.has(d.candleTime)) continue;
    markers.push({ time: d.candleTime, ...decisionMarker(d) });
  }
  for (const f of fills) {
    if (f.symbol !== symbol || f.tag !== tag) continue;
    const time = candleOf(candleTimes, f.timeMs);
    if (time === null) continue;
    const buy = f.side === 'BUY';
    markers.push({
      time,
      position: buy ? 'belowBar' : 'aboveBar',
      shape: 'circle',
      color: buy ? MARKER_COLORS.buy : MARKER_COLORS.sell,
      text: `${f.side} ${f.quantity} @ ${f.price}`,
    });
  }
  // Stable: decisions before the fills they caused on the same candle.
  return markers.sort((a, b) => a.time - b.time);
}
