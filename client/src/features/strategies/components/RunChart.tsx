import {
  Alert,
  Button,
  Card,
  Group,
  Loader,
  Select,
  Table,
  Text,
  Title,
  useComputedColorScheme,
} from '@mantine/core';
import {
  CandlestickSeries,
  createChart,
  createSeriesMarkers,
  type IChartApi,
  type ISeriesApi,
  type ISeriesMarkersPluginApi,
  type Time,
} from 'lightweight-charts';
import { useEffect, useMemo, useRef, useState } from 'react';

import { useRunCandles, useRunDecisions, useRunFills } from '@/features/strategies/api/run-queries';
import type { Run } from '@/features/strategies/api/runs';
import { refusalMessage } from '@/features/strategies/utils/compile-errors';
import { runMarkers } from '@/features/strategies/utils/run-markers';
import { CHART_COLORS, chartTheme, toChartTime } from '@/lib/charts';
import { formatDateTime } from '@/lib/format';

/** New candles close while the run is watched; the store is read again this often. */
const CANDLES_REFRESH_MS = 15_000;

interface Drawn {
  chart: IChartApi;
  candles: ISeriesApi<'Candlestick'>;
  markers: ISeriesMarkersPluginApi<Time>;
}

/**
 * The run's decisions and its orders' fills on the candles of one of its symbols, and the run's
 * decisions as a table (each order's client id and status, or why it was not placed); a
 * decision's symbol puts that symbol on the chart.
 */
export function RunChart({ run }: { run: Run }) {
  const [symbol, setSymbol] = useState(run.symbols[0] ?? '');
  const candles = useRunCandles(symbol, run.timeframe);
  const decisions = useRunDecisions(run.id);
  const fills = useRunFills(run.exchangeAccount, symbol);
  const scheme = useComputedColorScheme('light');
  const container = useRef<HTMLDivElement>(null);
  const drawn = useRef<Drawn | null>(null);

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
      runMarkers({
        symbol,
        tag: run.tag,
        candleTimes: (candles.data ?? []).map((k) => k.t),
        decisions: decisions.data ?? [],
        fills: fills.data ?? [],
      }),
    [symbol, run.tag, candles.data, decisions.data, fills.data],
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
  }, [candles.data, markers]);

  // Refresh the candles while the run is watched (the store gains one per timeframe).
  const { refetch } = candles;
  useEffect(() => {
    const timer = setInterval(() => void refetch(), CANDLES_REFRESH_MS);
    return () => {
      clearInterval(timer);
    };
  }, [refetch]);

  const rows = decisions.data ?? [];
  return (
    <Card withBorder>
      <Group justify="space-between" mb="xs">
        <Title order={4}>
          Decisions and fills · {symbol} {run.timeframe}
        </Title>
        {run.symbols.length > 1 && (
          <Select
            size="xs"
            w={150}
            aria-label="Chart symbol"
            data={run.symbols}
            value={symbol}
            allowDeselect={false}
            searchable
            onChange={(value) => {
              if (value !== null) setSymbol(value);
            }}
          />
        )}
      </Group>
      {candles.isError && <Alert color="red">{refusalMessage(candles.error)}</Alert>}
      <div style={{ position: 'relative', height: 320 }}>
        <div
          ref={container}
          role="img"
          aria-label={`${symbol} ${run.timeframe} candles with the run's decisions and fills`}
          data-testid="run-chart"
          data-markers={markers.length}
          style={{ position: 'absolute', inset: 0 }}
        />
        {candles.isPending && (
          <Group justify="center" style={{ position: 'absolute', inset: 0 }}>
            <Loader size="sm" aria-label="Loading candles" />
          </Group>
        )}
      </div>
      {rows.length === 0 ? (
        <Text size="sm" c="dimmed" mt="xs">
          No decision yet.
        </Text>
      ) : (
        <Table mt="xs" aria-label="Decisions">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Candle</Table.Th>
              <Table.Th>Symbol</Table.Th>
              <Table.Th>Decision</Table.Th>
              <Table.Th>Order</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((d) => (
              <Table.Tr key={d.id} data-testid="run-decision">
                <Table.Td>
                  <Text size="xs">{formatDateTime(d.candleTime)}</Text>
                </Table.Td>
                <Table.Td>
                  <Button
                    size="compact-xs"
                    variant={d.symbol === symbol ? 'light' : 'subtle'}
                    aria-label={`Show ${d.symbol} on the chart`}
                    onClick={() => {
                      setSymbol(d.symbol);
                    }}
                  >
                    {d.symbol}
                  </Button>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">
                    {d.kind}
                    {typeof d.payload.direction === 'string' ? ` ${d.payload.direction}` : ''}
                  </Text>
                </Table.Td>
                <Table.Td>
                  {d.outcome ? (
                    <Text size="xs" c="orange">
                      {d.outcome}
                    </Text>
                  ) : (
                    <Text size="xs" data-testid="run-order">
                      {d.clientOrderId ?? '—'} {d.orderStatus ?? ''}
                    </Text>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Card>
  );
}
