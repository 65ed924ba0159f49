import { Badge, Button, Card, Checkbox, Progress, Table, Text, Title } from '@mantine/core';

import { FINISHED, type Backtest, type BacktestStatus } from '@/features/backtest/api/backtests';
import { useCancelBacktest } from '@/features/backtest/api/mutations';
import { useBacktests } from '@/features/backtest/api/queries';
import { formatDateTime, formatNumber } from '@/lib/format';

const STATUS_COLOR: Record<BacktestStatus, string> = {
  QUEUED: 'gray',
  RUNNING: 'blue',
  DONE: 'green',
  FAILED: 'red',
  CANCELED: 'yellow',
};

function label(run: Backtest): string {
  const what = run.kind === 'strategy' ? 'strategy' : 'scanner';
  const symbols =
    run.symbols.length > 3
      ? `${run.symbols.slice(0, 3).join(', ')} +${run.symbols.length - 3}`
      : run.symbols.join(', ');
  return `${what} · ${symbols} · ${run.timeframe}`;
}

/**
 * The user's backtests, newest first: status, a progress bar the worker's events move, the total
 * PnL once done; a row opens its result; ticked rows are compared side by side.
 */
export function BacktestRuns({
  selected,
  onSelect,
  compared,
  onCompare,
}: {
  selected: number | null;
  onSelect: (id: number) => void;
  compared: readonly number[];
  onCompare: (ids: number[]) => void;
}) {
  const runs = useBacktests();
  const cancel = useCancelBacktest();
  const rows = runs.data ?? [];
  return (
    <Card withBorder>
      <Title order={4} mb="xs">
        Backtests
      </Title>
      {runs.isPending && <Text c="dimmed">Loading…</Text>}
      {runs.isSuccess && rows.length === 0 && <Text c="dimmed">No backtest yet: start one.</Text>}
      {rows.length > 0 && (
        <Table highlightOnHover data-testid="backtest-runs">
          <Table.Thead>
            <Table.Tr>
              <Table.Th w={30} aria-label="Compare" />
              <Table.Th>#</Table.Th>
              <Table.Th>What</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>PnL</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((run) => {
              const pnl = run.metrics?.total_pnl;
              return (
                <Table.Tr
                  key={run.id}
                  data-testid={`backtest-row-${run.id}`}
                  data-status={run.status}
                  {...(run.id === selected ? { bg: 'var(--mantine-color-blue-light)' } : {})}
                  style={{ cursor: 'pointer' }}
                  onClick={() => {
                    onSelect(run.id);
                  }}
                >
                  <Table.Td
                    onClick={(e) => {
                      e.stopPropagation();
                    }}
                  >
                    <Checkbox
                      aria-label={`Compare backtest ${run.id}`}
                      checked={compared.includes(run.id)}
                      disabled={run.status !== 'DONE'}
                      onChange={(e) => {
                        const on = e.currentTarget.checked;
                        onCompare(
                          on ? [...compared, run.id] : compared.filter((id) => id !== run.id),
                        );
                      }}
                    />
                  </Table.Td>
                  <Table.Td>{run.id}</Table.Td>
                  <Table.Td>
                    <Text size="sm">{label(run)}</Text>
                    <Text size="xs" c="dimmed">
                      {formatDateTime(run.createdAt)}
                    </Text>
                  </Table.Td>
                  <Table.Td miw={140}>
                    <Badge color={STATUS_COLOR[run.status]} variant="light">
                      {run.status}
                    </Badge>
                    {!FINISHED.includes(run.status) && (
                      <Progress
                        mt={4}
                        value={run.progress}
                        animated
                        aria-label={`Progress of backtest ${run.id}`}
                        data-testid={`backtest-progress-${run.id}`}
                        data-progress={run.progress}
                      />
                    )}
                    {run.status === 'FAILED' && (
                      <Text size="xs" c="red" lineClamp={2} title={run.error}>
                        {run.error}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td
                    {...(pnl === undefined || pnl === null
                      ? {}
                      : { c: pnl >= 0 ? 'green' : 'red' })}
                  >
                    {pnl === undefined || pnl === null ? '–' : formatNumber(pnl)}
                  </Table.Td>
                  <Table.Td
                    onClick={(e) => {
                      e.stopPropagation();
                    }}
                  >
                    {!FINISHED.includes(run.status) && (
                      <Button
                        size="compact-xs"
                        variant="subtle"
                        color="red"
                        loading={cancel.isPending && cancel.variables === run.id}
                        onClick={() => {
                          cancel.mutate(run.id);
                        }}
                      >
                        Cancel
                      </Button>
                    )}
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      )}
    </Card>
  );
}
