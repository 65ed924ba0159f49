import {
  Alert,
  Badge,
  Card,
  Checkbox,
  Group,
  Loader,
  Text,
  useComputedColorScheme,
} from '@mantine/core';
import { useEffect, useRef, useState } from 'react';

import { useLiveKlines } from '@/features/market/hooks/useLiveKlines';
import {
  CandleChart as Chart,
  EMA_PERIODS,
  type ChartMarker,
  type Overlays,
  type PriceLevel,
} from '@/features/market/utils/candle-chart';
import { describeApiError } from '@/lib/api';
import { CHART_COLORS } from '@/lib/charts';

export type { ChartMarker, PriceLevel };

interface CandleChartProps {
  symbol: string;
  interval: string;
  tickSize: string | null;
  /** Horizontal lines, e.g. entry, stop-loss and take-profit. Keep the array stable (memoise). */
  levels?: readonly PriceLevel[];
  marker?: ChartMarker | null;
  height?: number;
}

const NO_LEVELS: readonly PriceLevel[] = [];
function Legend() {
  return (
    <Group gap="sm">
      {EMA_PERIODS.map((period) => (
        <Text key={period} size="xs" c={CHART_COLORS[`ema${period}`]} fw={600}>
          EMA {period}
        </Text>
      ))}
      <Text size="xs" c={CHART_COLORS.bollinger} fw={600}>
        BB 20, 2
      </Text>
    </Group>
  );
}

/** Candles with EMA and Bollinger overlays; the forming candle moves live. */
export function CandleChart({
  symbol,
  interval,
  tickSize,
  levels = NO_LEVELS,
  marker = null,
  height = 420,
}: CandleChartProps) {
  const { data: klines, error, isPending, live } = useLiveKlines(symbol, interval);
  const scheme = useComputedColorScheme('light');
  const [overlays, setOverlays] = useState<Overlays>({ ema: true, bollinger: true });
  const containerRef = useRef<HTMLDivElement>(null);
  const chartRef = useRef<Chart | null>(null);

  // Declared first: on mount the chart exists before the effects below feed it.
  useEffect(() => {
    if (!containerRef.current) return;
    const chart = new Chart(containerRef.current);
    chartRef.current = chart;
    return () => {
      chart.dispose();
      chartRef.current = null;
    };
  }, []);

  useEffect(() => {
    chartRef.current?.setTheme(scheme);
  }, [scheme]);
  useEffect(() => {
    chartRef.current?.setOverlays(overlays);
  }, [overlays]);
  useEffect(() => {
    chartRef.current?.setTickSize(tickSize, levels[0]?.price ?? klines?.at(-1)?.c ?? 0);
  }, [tickSize, levels, klines]);
  useEffect(() => {
    if (klines) chartRef.current?.setKlines(klines);
  }, [klines]);
  useEffect(() => {
    chartRef.current?.setLevels(levels);
  }, [levels]);
  useEffect(() => {
    chartRef.current?.setMarker(marker);
  }, [marker, klines]);

  return (
    <Card withBorder padding="md" radius="md">
      <Group justify="space-between" mb="xs" wrap="wrap">
        <Group gap="xs">
          <Text fw={600}>
            {symbol} · {interval}
          </Text>
          <Badge
            size="sm"
            variant="dot"
            color={live ? 'green' : 'yellow'}
            data-testid="chart-feed"
            data-live={live}
            title={live ? 'Forming candle streamed live' : 'Refreshed every 5 s'}
          >
            {live ? 'Live' : 'Polling'}
          </Badge>
        </Group>
        <Group gap="md">
          <Legend />
          <Checkbox
            size="xs"
            label="EMA"
            checked={overlays.ema}
            onChange={(event) => {
              setOverlays((current) => ({ ...current, ema: event.currentTarget.checked }));
            }}
          />
          <Checkbox
            size="xs"
            label="Bollinger"
            checked={overlays.bollinger}
            onChange={(event) => {
              setOverlays((current) => ({ ...current, bollinger: event.currentTarget.checked }));
            }}
          />
        </Group>
      </Group>
      {error && !klines && (
        <Alert color="red" title="Candles unavailable" mb="xs">
          {describeApiError(error)}
        </Alert>
      )}
      <div style={{ position: 'relative', height }}>
        <div
          ref={containerRef}
          data-testid="candle-chart"
          data-bars={klines?.length ?? 0}
          style={{ position: 'absolute', inset: 0 }}
          aria-label={`${symbol} ${interval} candlestick chart`}
          role="img"
        />
        {isPending && (
          <Group justify="center" style={{ position: 'absolute', inset: 0 }}>
            <Loader size="sm" aria-label="Loading candles" />
          </Group>
        )}
      </div>
    </Card>
  );
}
