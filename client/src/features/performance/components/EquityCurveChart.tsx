import { Card, Text, Title, useComputedColorScheme } from '@mantine/core';
import { BaselineSeries, createChart } from 'lightweight-charts';
import { useEffect, useRef } from 'react';

import type { EquityPoint } from '@/features/performance/api/getPerformance';
import { equitySeries } from '@/features/performance/utils/equity-series';
import { CHART_COLORS, chartTheme } from '@/lib/charts';

/** Cumulative R over time, green above zero and red below. */
export function EquityCurveChart({ points }: { points: EquityPoint[] }) {
  const containerRef = useRef<HTMLDivElement>(null);
  const scheme = useComputedColorScheme('light');

  useEffect(() => {
    const container = containerRef.current;
    if (!container || points.length === 0) return;
    const chart = createChart(container, { ...chartTheme(scheme), autoSize: true });
    const series = chart.addSeries(BaselineSeries, {
      baseValue: { type: 'price', price: 0 },
      topLineColor: CHART_COLORS.up,
      bottomLineColor: CHART_COLORS.down,
      priceFormat: { type: 'custom', formatter: (r: number) => `${r.toFixed(2)}R` },
    });
    series.setData(equitySeries(points));
    chart.timeScale().fitContent();
    return () => {
      chart.remove();
    };
  }, [points, scheme]);

  return (
    <Card withBorder padding="md" radius="md">
      <Title order={3} size="h5">
        Cumulative R
      </Title>
      <Text size="xs" c="dimmed" mb="xs">
        The running sum of outcomes in multiples of risk, by close time.
      </Text>
      {points.length === 0 ? (
        <Text size="sm" c="dimmed">
          No closed signals yet.
        </Text>
      ) : (
        <div
          ref={containerRef}
          data-testid="equity-chart"
          style={{ height: 280 }}
          role="img"
          aria-label="Cumulative R chart"
        />
      )}
    </Card>
  );
}
