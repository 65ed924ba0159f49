import { useMemo } from 'react';
import { useParams } from 'react-router';

import { NotFoundPage } from '@/app/routes/NotFoundPage';
import {
  CandleChart,
  type ChartMarker,
  type PriceLevel,
} from '@/features/market/components/CandleChart';
import type { Signal } from '@/features/signals/api/signal';
import { SignalDetailView } from '@/features/signals/components/SignalDetailView';
import { CHART_COLORS } from '@/lib/charts';

/** The signal's market with its entry, stop-loss and take-profit, and a marker on its candle. */
function SignalChart({ signal }: { signal: Signal }) {
  const { entry, stopLoss, takeProfit, direction, candleOpenTime, initialScore } = signal;
  const levels = useMemo<PriceLevel[]>(
    () => [
      { price: entry, label: 'Entry', color: CHART_COLORS.entry },
      { price: stopLoss, label: 'SL', color: CHART_COLORS.down },
      { price: takeProfit, label: 'TP', color: CHART_COLORS.up },
    ],
    [entry, stopLoss, takeProfit],
  );
  const marker = useMemo<ChartMarker>(() => {
    const long = direction === 'LONG';
    return {
      time: candleOpenTime,
      position: long ? 'belowBar' : 'aboveBar',
      shape: long ? 'arrowUp' : 'arrowDown',
      color: long ? CHART_COLORS.up : CHART_COLORS.down,
      text: `${direction} score ${Math.round(initialScore)}`,
    };
  }, [direction, candleOpenTime, initialScore]);

  return (
    <CandleChart
      symbol={signal.symbol}
      interval={signal.timeframe}
      tickSize={signal.tickSize}
      levels={levels}
      marker={marker}
    />
  );
}

export function SignalDetailPage() {
  const { id } = useParams();
  const signalId = Number(id);
  if (!Number.isSafeInteger(signalId) || signalId <= 0) return <NotFoundPage />;
  return (
    <SignalDetailView
      key={signalId}
      id={signalId}
      renderChart={(signal) => <SignalChart signal={signal} />}
    />
  );
}
