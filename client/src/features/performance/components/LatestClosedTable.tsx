import { Anchor, Badge, Card, Table, Text, Title } from '@mantine/core';
import { Link } from 'react-router';

import type { ClosedSignal } from '@/features/performance/api/getPerformance';
import { paths } from '@/config/paths';
import { formatMaybeR, rColor } from '@/features/performance/utils/format-stats';
import { formatDateTime, formatNumber, formatPrice } from '@/lib/format';

const OUTCOMES: Record<string, { label: string; color: string }> = {
  tp_hit: { label: 'Take-profit', color: 'green' },
  sl_hit: { label: 'Stop-loss', color: 'red' },
  expired: { label: 'Expired', color: 'gray' },
  invalidated: { label: 'Invalidated', color: 'gray' },
  stale: { label: 'Stale (no outcome)', color: 'yellow' },
};

/**
 * The most recently closed signals: what closed each, and the result a trader who placed the
 * bracket shown at creation would have had (net of fees), beside the trailed bracket's.
 */
export function LatestClosedTable({ signals }: { signals: ClosedSignal[] }) {
  return (
    <Card withBorder padding="md" radius="md">
      <Title order={3} size="h5" mb="sm">
        Latest closed signals
      </Title>
      {signals.length === 0 ? (
        <Text size="sm" c="dimmed">
          None yet.
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={900}>
          <Table
            striped
            highlightOnHover
            style={{ fontVariantNumeric: 'tabular-nums' }}
            data-testid="latest-closed"
          >
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Closed (exchange time)</Table.Th>
                <Table.Th>Signal</Table.Th>
                <Table.Th ta="right">Score</Table.Th>
                <Table.Th ta="right">Entry</Table.Th>
                <Table.Th ta="right">Exit</Table.Th>
                <Table.Th>Closed by</Table.Th>
                <Table.Th ta="right" title="Net of fees, on the bracket shown at creation">
                  R net
                </Table.Th>
                <Table.Th ta="right" title="Net, on the trailed bracket">
                  R trailed
                </Table.Th>
                <Table.Th ta="right" title="Maximum favourable / adverse excursion, in R">
                  MFE / MAE
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {signals.map((s) => {
                const outcome = OUTCOMES[s.status] ?? { label: s.status, color: 'gray' };
                return (
                  <Table.Tr key={s.key}>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>
                      {s.closedAt === null ? '—' : formatDateTime(s.closedAt)}
                    </Table.Td>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>
                      <Badge size="xs" color={s.direction === 'LONG' ? 'green' : 'red'} mr={6}>
                        {s.direction}
                      </Badge>
                      {/* Archived outcomes outlive their signal (kept 24 h): no page to link to. */}
                      {s.id === null ? (
                        <Text span fw={600}>
                          {s.symbol}
                        </Text>
                      ) : (
                        <Anchor component={Link} to={paths.signal.build(s.id)} fw={600}>
                          {s.symbol}
                        </Anchor>
                      )}{' '}
                      <Text span size="xs" c="dimmed">
                        {s.timeframe}
                      </Text>
                    </Table.Td>
                    <Table.Td ta="right">{Math.round(s.score)}</Table.Td>
                    <Table.Td ta="right">{formatPrice(s.entry, s.tickSize)}</Table.Td>
                    <Table.Td ta="right">
                      {s.exitPrice === null ? '—' : formatPrice(s.exitPrice, s.tickSize)}
                    </Table.Td>
                    <Table.Td>
                      <Badge variant="light" color={outcome.color}>
                        {outcome.label}
                      </Badge>
                      {s.closeRule && s.closeRule !== s.status && (
                        <Text span size="xs" c="dimmed" ml={6}>
                          {s.closeRule}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td ta="right" c={rColor(s.r)}>
                      {formatMaybeR(s.r)}
                    </Table.Td>
                    <Table.Td ta="right">{formatMaybeR(s.rTrailed)}</Table.Td>
                    <Table.Td ta="right">
                      {s.mfeR === null || s.maeR === null
                        ? '—'
                        : `${formatNumber(s.mfeR)} / ${formatNumber(s.maeR)}`}
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Card>
  );
}
