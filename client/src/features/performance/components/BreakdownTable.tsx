import { Card, Table, Text, Title } from '@mantine/core';

import type { OutcomeStats } from '@/features/performance/api/getPerformance';
import { formatProfitFactor, formatR, formatRatio } from '@/lib/format';

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
                  <Table.Td ta="right">{formatRatio(stats.winRate)}</Table.Td>
                  <Table.Td ta="right" c={stats.expectancy >= 0 ? 'green' : 'red'}>
                    {formatR(stats.expectancy)}
                  </Table.Td>
                  <Table.Td ta="right">{formatProfitFactor(stats.profitFactor)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Card>
  );
}
