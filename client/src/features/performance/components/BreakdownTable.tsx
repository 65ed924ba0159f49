import { Card, Table, Text, Title } from '@mantine/core';

import type { OutcomeStats } from '@/features/performance/api/getPerformance';
import {
  expectancyColor,
  formatExpectancy,
  formatProfitFactor,
  formatWinRate,
} from '@/features/performance/utils/format-stats';

/** Win rate, expectancy and profit factor per group (direction, timeframe, confidence bucket). */
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
        <Table.ScrollContainer minWidth={420}>
          <Table striped style={{ fontVariantNumeric: 'tabular-nums' }}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th />
                <Table.Th ta="right">Signals</Table.Th>
                <Table.Th ta="right">Win rate</Table.Th>
                <Table.Th ta="right">Expectancy</Table.Th>
                <Table.Th ta="right">Profit factor</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map(([label, stats]) => (
                <Table.Tr key={label}>
                  <Table.Th scope="row">{label}</Table.Th>
                  <Table.Td ta="right">
                    {stats.count}
                    <Text span size="xs" c="dimmed" ml={4}>
                      ({stats.wins}W/{stats.losses}L)
                    </Text>
                  </Table.Td>
                  <Table.Td ta="right">{formatWinRate(stats)}</Table.Td>
                  <Table.Td ta="right" c={expectancyColor(stats)}>
                    {formatExpectancy(stats)}
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
