import {
  Alert,
  Button,
  Card,
  Group,
  SimpleGrid,
  Stack,
  Table,
  Tabs,
  Text,
  Title,
} from '@mantine/core';
import { useState } from 'react';

import {
  type BacktestDetail,
  type BreakdownRow,
  tradesCsvPath,
} from '@/features/backtest/api/backtests';
import { EquityChart, TradesChart } from '@/features/backtest/components/BacktestCharts';
import { METRIC_ROWS, formatMetric } from '@/features/backtest/utils/metrics';
import { apiText, describeApiError } from '@/lib/api';
import { formatDateTime } from '@/lib/format';

const BREAKDOWN_COLUMNS = [
  'trades',
  'win_rate_pct',
  'total_pnl',
  'expectancy',
  'profit_factor',
] as const;

function BreakdownTable({
  rows,
  name,
}: {
  rows: (BreakdownRow & { key: string })[];
  name: string;
}) {
  if (rows.length === 0) return <Text c="dimmed">No trade.</Text>;
  return (
    <Table data-testid={`breakdown-${name}`}>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>{name}</Table.Th>
          {BREAKDOWN_COLUMNS.map((c) => (
            <Table.Th key={c}>{METRIC_ROWS.find((r) => r.key === c)?.label ?? c}</Table.Th>
          ))}
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {rows.map((row) => (
          <Table.Tr key={row.key}>
            <Table.Td>{row.key}</Table.Td>
            {BREAKDOWN_COLUMNS.map((c) => (
              <Table.Td key={c}>{formatMetric(c, row.figures[c])}</Table.Td>
            ))}
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/** Every trade as the CSV export has them, saved as a file (the request carries the session's token). */
function CsvDownload({ id }: { id: number }) {
  const [state, setState] = useState<{ busy: boolean; error: string | null }>({
    busy: false,
    error: null,
  });
  return (
    <Group gap="xs">
      <Button
        size="xs"
        variant="light"
        loading={state.busy}
        onClick={() => {
          setState({ busy: true, error: null });
          apiText(tradesCsvPath(id))
            .then((csv) => {
              const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv' }));
              const link = document.createElement('a');
              link.href = url;
              link.download = `backtest-${id}-trades.csv`;
              link.click();
              URL.revokeObjectURL(url);
              setState({ busy: false, error: null });
            })
            .catch((error: unknown) => {
              setState({ busy: false, error: describeApiError(error) });
            });
        }}
      >
        Download trades (CSV)
      </Button>
      {state.error && (
        <Text c="red" size="xs">
          {state.error}
        </Text>
      )}
    </Group>
  );
}

/** One backtest: its figures, equity and drawdown, trades on the chart and as a table, by group. */
export function BacktestResult({ run }: { run: BacktestDetail }) {
  if (run.status === 'FAILED') {
    return (
      <Alert color="red" title={`Backtest ${run.id} failed`} data-testid="backtest-failed">
        {run.error}
      </Alert>
    );
  }
  if (run.status !== 'DONE' || run.results === null) {
    return (
      <Card withBorder>
        <Text c="dimmed">
          Backtest {run.id} is {run.status.toLowerCase()} ({run.progress} %): its result shows here
          when it is done.
        </Text>
      </Card>
    );
  }
  const results = run.results;
  const initial = Number(run.parameters.starting_balance ?? 10_000);
  return (
    <Stack gap="sm" data-testid="backtest-result" data-id={run.id}>
      <Group justify="space-between">
        <Title order={4}>
          Backtest {run.id} · {run.kind} · {run.symbols.join(', ')} · {run.timeframe}
        </Title>
        <CsvDownload id={run.id} />
      </Group>
      <Text size="sm" c="dimmed">
        {formatDateTime(run.startMs)} → {formatDateTime(run.endMs)} · {results.tradesTotal} trades
        {results.refusals > 0 ? ` · ${results.refusals} entries refused (margin)` : ''}
      </Text>
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        <Card withBorder>
          <Table data-testid="backtest-metrics">
            <Table.Tbody>
              {METRIC_ROWS.map((row) => (
                <Table.Tr key={row.key}>
                  <Table.Td>{row.label}</Table.Td>
                  <Table.Td ta="right" data-metric={row.key}>
                    {formatMetric(row.key, results.metrics[row.key])}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Card>
        <Stack gap="sm">
          <EquityChart results={results} initialEquity={initial} />
          <Card withBorder>
            <Tabs defaultValue="symbol">
              <Tabs.List>
                <Tabs.Tab value="symbol">By symbol</Tabs.Tab>
                <Tabs.Tab value="direction">By direction</Tabs.Tab>
                <Tabs.Tab value="month">By month</Tabs.Tab>
              </Tabs.List>
              {(['symbol', 'direction', 'month'] as const).map((by) => (
                <Tabs.Panel key={by} value={by} pt="xs">
                  <BreakdownTable rows={results.breakdown[by]} name={by} />
                </Tabs.Panel>
              ))}
            </Tabs>
          </Card>
        </Stack>
      </SimpleGrid>
      <TradesChart run={run} />
      <Card withBorder>
        <Title order={5} mb="xs">
          Trades
          {results.tradesTotal > results.trades.length
            ? ` (first ${results.trades.length} of ${results.tradesTotal}; the CSV has all)`
            : ''}
        </Title>
        <Table.ScrollContainer minWidth={700} mah={400}>
          <Table striped data-testid="backtest-trades">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Symbol</Table.Th>
                <Table.Th>Side</Table.Th>
                <Table.Th>Entry</Table.Th>
                <Table.Th>Exit</Table.Th>
                <Table.Th>Qty</Table.Th>
                <Table.Th>PnL</Table.Th>
                <Table.Th>Exit reason</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {results.trades.map((t, i) => (
                <Table.Tr key={i}>
                  <Table.Td>{t.symbol}</Table.Td>
                  <Table.Td>{t.direction}</Table.Td>
                  <Table.Td>
                    {t.entryPrice} · {formatDateTime(t.entryTime)}
                  </Table.Td>
                  <Table.Td>
                    {t.exitPrice} · {formatDateTime(t.exitTime)}
                  </Table.Td>
                  <Table.Td>{t.qty}</Table.Td>
                  <Table.Td c={Number(t.pnl) >= 0 ? 'green' : 'red'}>
                    {Number(t.pnl).toFixed(2)}
                  </Table.Td>
                  <Table.Td>{t.reason}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Card>
    </Stack>
  );
}
