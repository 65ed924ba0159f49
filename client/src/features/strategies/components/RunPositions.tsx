import { Card, Table, Text, Title } from '@mantine/core';

import { useRunPositions } from '@/features/strategies/api/run-queries';
import type { Run } from '@/features/strategies/api/runs';
import { refusalMessage } from '@/features/strategies/utils/compile-errors';

/** What the run holds: its share (by its order tag) of the account's open positions. */
export function RunPositions({ run }: { run: Run }) {
  const positions = useRunPositions(run.exchangeAccount, run.tag);
  return (
    <Card withBorder>
      <Title order={4} mb="xs">
        Positions of run #{run.id}
      </Title>
      {positions.isError && <Text c="red">{refusalMessage(positions.error)}</Text>}
      {positions.data?.length === 0 && (
        <Text size="sm" c="dimmed">
          No open position.
        </Text>
      )}
      {positions.data && positions.data.length > 0 && (
        <Table aria-label="Run positions">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Symbol</Table.Th>
              <Table.Th>Side</Table.Th>
              <Table.Th>Quantity</Table.Th>
              <Table.Th>Entry</Table.Th>
              <Table.Th>Mark</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {positions.data.map((p) => (
              <Table.Tr
                key={`${p.symbol}-${p.positionSide}`}
                data-testid={`run-position-${p.symbol}`}
              >
                <Table.Td>{p.symbol}</Table.Td>
                <Table.Td>
                  {p.positionSide === 'BOTH'
                    ? Number(p.amount) >= 0
                      ? 'LONG'
                      : 'SHORT'
                    : p.positionSide}
                </Table.Td>
                <Table.Td>{p.quantity}</Table.Td>
                <Table.Td>{p.entryPrice}</Table.Td>
                {/* 0: no mark price known for it yet. */}
                <Table.Td>{Number(p.markPrice) > 0 ? p.markPrice : '—'}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Card>
  );
}
