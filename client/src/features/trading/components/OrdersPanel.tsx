import { Button, Card, Table, Tabs, Text, Title } from '@mantine/core';
import { Fragment, useState } from 'react';

import { useCancelOrder } from '@/features/trading/api/mutations';
import { useOrderDetail, useOrders } from '@/features/trading/api/queries';
import type { Order } from '@/features/trading/api/trading';
import { fmt, pnlColor, qty } from '@/features/trading/components/money';
import { messageOf } from '@/features/trading/utils/errors';
import { formatDateTime } from '@/lib/format';

const STATUS_COLOR: Record<string, string> = {
  FILLED: 'teal',
  NEW: 'blue',
  PARTIALLY_FILLED: 'cyan',
  CANCELED: 'gray',
  EXPIRED: 'gray',
  REJECTED: 'red',
  NOT_SENT: 'red',
  UNKNOWN: 'orange',
};

/** Open orders (with cancel) and the order history; a row opens its fills and fees. */
export function OrdersPanel({ accountId }: { accountId: number }) {
  return (
    <Card withBorder>
      <Title order={4} mb="sm">
        Orders
      </Title>
      <Tabs defaultValue="open" keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="open">Open orders</Tabs.Tab>
          <Tabs.Tab value="history">Order history</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="open" pt="sm">
          <OrderTable accountId={accountId} open />
        </Tabs.Panel>
        <Tabs.Panel value="history" pt="sm">
          <OrderTable accountId={accountId} open={false} />
        </Tabs.Panel>
      </Tabs>
    </Card>
  );
}

function OrderTable({ accountId, open }: { accountId: number; open: boolean }) {
  const orders = useOrders(accountId, open);
  const cancel = useCancelOrder();
  const [shown, setShown] = useState<number | null>(null);
  if (orders.isPending) return <Text c="dimmed">Loading…</Text>;
  if (orders.isError) return <Text c="red">{messageOf(orders.error)}</Text>;
  if (orders.data.results.length === 0) {
    return <Text c="dimmed">{open ? 'No open order.' : 'No order yet.'}</Text>;
  }
  return (
    <>
      <Table striped highlightOnHover aria-label={open ? 'Open orders' : 'Order history'}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Time</Table.Th>
            <Table.Th>Symbol</Table.Th>
            <Table.Th>Side</Table.Th>
            <Table.Th>Type</Table.Th>
            <Table.Th>Quantity</Table.Th>
            <Table.Th>Price</Table.Th>
            <Table.Th>Filled</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>By</Table.Th>
            {open && <Table.Th />}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {orders.data.results.map((order) => (
            <Fragment key={order.id}>
              <Table.Tr
                style={{ cursor: 'pointer' }}
                onClick={() => {
                  setShown(shown === order.id ? null : order.id);
                }}
                data-testid="order-row"
              >
                <Table.Td>
                  {order.createdAt ? formatDateTime(Date.parse(order.createdAt)) : '–'}
                </Table.Td>
                <Table.Td>{order.symbol}</Table.Td>
                <Table.Td>
                  {order.side}
                  {order.positionSide !== 'BOTH' ? ` ${order.positionSide}` : ''}
                </Table.Td>
                <Table.Td>{order.type}</Table.Td>
                <Table.Td>{qty(order.quantity)}</Table.Td>
                <Table.Td>{fmt(order.avgPrice ?? order.price ?? order.stopPrice)}</Table.Td>
                <Table.Td>{qty(order.executedQty)}</Table.Td>
                <Table.Td>
                  <Text
                    size="xs"
                    fw={700}
                    c={STATUS_COLOR[order.status] ?? 'blue'}
                    title={order.errorMessage}
                  >
                    {order.status}
                  </Text>
                </Table.Td>
                <Table.Td>{sourceLabel(order)}</Table.Td>
                {open && (
                  <Table.Td>
                    <Button
                      size="xs"
                      variant="subtle"
                      color="red"
                      onClick={(event) => {
                        event.stopPropagation();
                        cancel.mutate(order.id);
                      }}
                    >
                      Cancel
                    </Button>
                  </Table.Td>
                )}
              </Table.Tr>
              {shown === order.id && (
                <Table.Tr>
                  <Table.Td colSpan={open ? 10 : 9}>
                    <OrderFills orderId={order.id} />
                  </Table.Td>
                </Table.Tr>
              )}
            </Fragment>
          ))}
        </Table.Tbody>
      </Table>
      {cancel.error && (
        <Text c="red" size="sm" role="alert">
          {messageOf(cancel.error)}
        </Text>
      )}
    </>
  );
}

function sourceLabel(order: Order): string {
  if (order.source === 'strategy') return `strategy ${order.tag.slice(1)}`;
  if (order.source === 'kill_switch') return 'kill switch';
  return order.source;
}

function OrderFills({ orderId }: { orderId: number }) {
  const detail = useOrderDetail(orderId);
  if (detail.isPending) return <Text c="dimmed">Loading fills…</Text>;
  if (detail.isError) return <Text c="red">{messageOf(detail.error)}</Text>;
  const fills = detail.data.fills ?? [];
  if (fills.length === 0) {
    return <Text c="dimmed">{detail.data.errorMessage || 'No fill.'}</Text>;
  }
  return (
    <Table aria-label="Fills" data-testid="fills">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Trade</Table.Th>
          <Table.Th>Price</Table.Th>
          <Table.Th>Quantity</Table.Th>
          <Table.Th>Fee</Table.Th>
          <Table.Th>Realised PnL</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {fills.map((fill) => (
          <Table.Tr key={fill.tradeId}>
            <Table.Td>#{fill.tradeId}</Table.Td>
            <Table.Td>{fmt(fill.price)}</Table.Td>
            <Table.Td>{qty(fill.quantity)}</Table.Td>
            <Table.Td>
              {fill.commission} {fill.commissionAsset} {fill.maker ? '(maker)' : '(taker)'}
            </Table.Td>
            <Table.Td>
              <Text c={pnlColor(fill.realizedPnl)} size="sm">
                {fmt(fill.realizedPnl, 4)}
              </Text>
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
