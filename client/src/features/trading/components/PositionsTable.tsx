import { Button, Card, Table, Text, Title } from '@mantine/core';

import { useClosePosition } from '@/features/trading/api/mutations';
import type { Position } from '@/features/trading/api/trading';
import { fmt, pnlColor, qty } from '@/features/trading/components/money';
import { messageOf } from '@/features/trading/utils/errors';

/** Open positions with live unrealised PnL (pushed by `position_updated` at the mark price). */
export function PositionsTable({
  accountId,
  positions,
}: {
  accountId: number;
  positions: Position[];
}) {
  const close = useClosePosition(accountId);
  return (
    <Card withBorder>
      <Title order={4} mb="sm">
        Positions
      </Title>
      {positions.length === 0 ? (
        <Text c="dimmed">No open position.</Text>
      ) : (
        <Table striped aria-label="Positions">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Symbol</Table.Th>
              <Table.Th>Side</Table.Th>
              <Table.Th>Size</Table.Th>
              <Table.Th>Entry</Table.Th>
              <Table.Th>Mark</Table.Th>
              <Table.Th>Unrealised PnL</Table.Th>
              <Table.Th>Leverage</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {positions.map((p) => (
              <Table.Tr key={`${p.symbol}-${p.positionSide}`} data-testid={`position-${p.symbol}`}>
                <Table.Td>{p.symbol}</Table.Td>
                <Table.Td>
                  {p.positionSide === 'BOTH'
                    ? Number(p.amount) > 0
                      ? 'LONG'
                      : 'SHORT'
                    : p.positionSide}
                </Table.Td>
                <Table.Td>{qty(p.amount)}</Table.Td>
                <Table.Td>{fmt(p.entryPrice)}</Table.Td>
                <Table.Td>{fmt(p.markPrice)}</Table.Td>
                <Table.Td>
                  <Text c={pnlColor(p.unrealizedPnl)} data-testid="unrealized-pnl">
                    {fmt(p.unrealizedPnl, 4)} USDT
                  </Text>
                </Table.Td>
                <Table.Td>{p.leverage}x</Table.Td>
                <Table.Td>
                  <Button
                    size="xs"
                    variant="light"
                    color="orange"
                    loading={close.isPending}
                    onClick={() => {
                      close.mutate({ symbol: p.symbol, position_side: p.positionSide });
                    }}
                  >
                    Close
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {close.error && (
        <Text c="red" size="sm" mt="xs" role="alert">
          {messageOf(close.error)}
        </Text>
      )}
    </Card>
  );
}
