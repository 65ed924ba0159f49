import { Card, Table, Text, Title } from '@mantine/core';

import { useBacktestCompare } from '@/features/backtest/api/queries';
import { METRIC_ROWS, formatMetric } from '@/features/backtest/utils/metrics';

/** The ticked backtests' figures side by side, one column per run. */
export function BacktestCompare({ ids }: { ids: readonly number[] }) {
  const compare = useBacktestCompare(ids);
  const runs = compare.data ?? [];
  return (
    <Card withBorder>
      <Title order={4} mb="xs">
        Comparison
      </Title>
      {compare.isError && <Text c="red">The comparison could not be loaded.</Text>}
      {runs.length > 0 && (
        <Table data-testid="backtest-compare">
          <Table.Thead>
            <Table.Tr>
              <Table.Th />
              {runs.map((r) => (
                <Table.Th key={r.id} ta="right">
                  #{r.id}
                </Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {METRIC_ROWS.map((row) => (
              <Table.Tr key={row.key}>
                <Table.Td>{row.label}</Table.Td>
                {runs.map((r) => (
                  <Table.Td key={r.id} ta="right">
                    {formatMetric(row.key, r.metrics?.[row.key])}
                  </Table.Td>
                ))}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Card>
  );
}
