import { Card, Table, Text, Title } from '@mantine/core';

import type { OutcomeStats } from '@/features/performance/api/getPerformance';
import {
  formatMaybeR,
  formatProfitFactor,
  formatRate,
  rColor,
} from '@/features/performance/utils/format-stats';

/** Take-profit rate, closed-in-profit rate, net average R and profit factor per group. */
export function BreakdownTable({
  title,
  rows,
  testId,
}: {
  title: string;
  rows: [string, OutcomeStats][];
  testId?: string;
}) {
  return (
    <Card withBorder padding="md" radius="md" data-testid={testId}>
      <Title order={3} size="h5" mb="sm">
        {title}
      </Title>
      {rows.length === 0 ? (
        <Text size="sm" c="dimmed">
          No closed signals.
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={460}>
          <Table striped style={{ fontVariantNumeric: 'tabular-nums' }}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th />
                <Table.Th ta="right">Signals</Table.Th>
                <Table.Th ta="right" title="Creation take-profit reached before its stop-loss">
                  Take-profit
                </Table.Th>
                <Table.Th ta="right" title="Net R > 0, whatever closed it">
                  In profit
                </Table.Th>
                <Table.Th ta="right" title="Mean net R, creation bracket">
                  Avg R
                </Table.Th>
                <Table.Th ta="right">Profit factor</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map(([label, stats]) => (
                <Table.Tr key={label}>
                  <Table.Th scope="row">{label}</Table.Th>
                  <Table.Td ta="right">{stats.count}</Table.Td>
                  <Table.Td ta="right">{formatRate(stats.tpRate)}</Table.Td>
                  <Table.Td ta="right">{formatRate(stats.profitRate)}</Table.Td>
                  <Table.Td ta="right" c={rColor(stats.averageR)}>
                    {formatMaybeR(stats.averageR)}
                  </Table.Td>
                  <Table.Td ta="right">{formatProfitFactor(stats)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Card>
  );
}
