import { Card, Group, Select, Text, Title, useComputedColorScheme } from '@mantine/core';
import {
  AreaSeries,
  CandlestickSeries,
  LineSeries,
  createChart,
  createSeriesMarkers,
  type IChartApi,
  type ISeriesApi,
  type ISeriesMarkersPluginApi,
  type Time,
} from 'lightweight-charts';
import { useEffect, useMemo, useRef, useState } from 'react';

import type { BacktestDetail, BacktestResults } from '@/features/backtest/api/backtests';
import { useBacktestCandles } from '@/features/backtest/api/queries';
import { drawdownOf, tradeMarkers } from '@/features/backtest/utils/equity';
import { CHART_COLORS, chartTheme, toChartTime } from '@/lib/charts';

/** The equity curve, and under it the drawdown from the running peak (%). */
export function EquityChart({
  results,
  initialEquity,
}: {
  results: BacktestResults;
  initialEquity: number;
}) {
  const scheme = useComputedColorScheme('light');
  const container = useRef<HTMLDivElement>(null);
  const chart = useRef<IChartApi | null>(null);

  useEffect(() => {
    if (!container.current) return;
    const c = createChart(container.current, { autoSize: true });
    chart.current = c;
    const equity = c.addSeries(LineSeries, {
      color: CHART_COLORS.entry,
      lineWidth: 2,
      title: 'equity',
    });
    const drawdown = c.addSeries(
      AreaSeries,
      {
        lineColor: CHART_COLORS.down,
        topColor: 'rgba(224, 49, 49, 0.05)',
        bottomColor: 'rgba(224, 49, 49, 0.35)',
        invertFilledArea: true,
        title: 'drawdown %',
      },
      1,
    );
    equity.setData(results.equityCurve.map(([t, e]) => ({ time: toChartTime(t), value: e })));
    drawdown.setData(
      drawdownOf(results.equityCurve, initialEquity).map((p) => ({
        time: toChartTime(p.time),
        value: p.drawdownPct,
      })),
    );
    c.timeScale().fitContent();
    return () => {
      chart.current = null;
      c.remove();
    };
  }, [results, initialEquity]);

  useEffect(() => {
    chart.current?.applyOptions(chartTheme(scheme));
  }, [scheme]);

  return (
    <Card withBorder>
      <Title order={5} mb="xs">
        Equity and drawdown
      </Title>
      <div ref={container} style={{ height: 320 }} data-testid="equity-chart" />
    </Card>
  );
}

interface Drawn {
  chart: IChartApi;
  candles: ISeriesApi<'Candlestick'>;
  markers: ISeriesMarkersPluginApi<Time>;
}

/** The window's candles of one symbol with the trades as markers (entries as arrows, exits as dots). */
export function TradesChart({ run }: { run: BacktestDetail }) {
  // The first symbol that traded, so the chart opens on markers.
  const [symbol, setSymbol] = useState(
    run.symbols.find((s) => run.results?.trades.some((t) => t.symbol === s)) ??
      run.symbols[0] ??
      '',
  );
  const candles = useBacktestCandles(run.id, symbol);
  const scheme = useComputedColorScheme('light');
  const container = useRef<HTMLDivElement>(null);
  const drawn = useRef<Drawn | null>(null);
  const trades = useMemo(() => run.results?.trades ?? [], [run.results]);

  useEffect(() => {
    if (!container.current) return;
    const chart = createChart(container.current, { autoSize: true });
    const series = chart.addSeries(CandlestickSeries, {
      upColor: CHART_COLORS.up,
      downColor: CHART_COLORS.down,
      wickUpColor: CHART_COLORS.up,
      wickDownColor: CHART_COLORS.down,
      borderVisible: false,
    });
    drawn.current = { chart, candles: series, markers: createSeriesMarkers(series, []) };
    return () => {
      drawn.current = null;
      chart.remove();
    };
  }, []);

  useEffect(() => {
    drawn.current?.chart.applyOptions(chartTheme(scheme));
  }, [scheme]);

  const markers = useMemo(
    () =>
      tradeMarkers(
        trades,
        symbol,
        (candles.data ?? []).map((k) => k.t),
      ),
    [trades, symbol, candles.data],
  );

  useEffect(() => {
    if (!drawn.current || !candles.data) return;
    drawn.current.candles.setData(
      candles.data.map((k) => ({
        time: toChartTime(k.t),
        open: k.o,
        high: k.h,
        low: k.l,
        close: k.c,
      })),
    );
    drawn.current.markers.setMarkers(markers.map((m) => ({ ...m, time: toChartTime(m.time) })));
    drawn.current.chart.timeScale().fitContent();
  }, [candles.data, markers]);

  return (
    <Card withBorder>
      <Group justify="space-between" mb="xs">
        <Title order={5}>Trades on the chart · {symbol}</Title>
        {run.symbols.length > 1 && (
          <Select
            size="xs"
            w={150}
            aria-label="Symbol on the chart"
            data={run.symbols}
            value={symbol}
            onChange={(v) => {
              if (v !== null) setSymbol(v);
            }}
            allowDeselect={false}
          />
        )}
      </Group>
      <div
        ref={container}
        style={{ height: 360 }}
        data-testid="trades-chart"
        data-markers={markers.length}
      />
      {candles.isError && <Text c="red">The candles could not be loaded.</Text>}
    </Card>
  );
}
