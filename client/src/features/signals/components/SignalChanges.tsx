import { Badge, Card, Table, Text, Title } from '@mantine/core';

import type { SignalChange } from '@/features/signals/api/getSignal';
import { conditionLabel, STATUS_LABELS } from '@/features/signals/utils/conditions';
import { formatDateTime, formatNumber, formatPrice } from '@/lib/format';

const KIND_COLORS = { created: 'blue', updated: 'yellow', deleted: 'gray' } as const;

/** Conditions gained (+) and lost (−) against the previous change. */
function conditionDiff(change: SignalChange, previous: SignalChange | undefined): string {
  if (!previous) return change.conditions.map(conditionLabel).join(', ');
  const gained = change.conditions.filter((name) => !previous.conditions.includes(name));
  const lost = previous.conditions.filter((name) => !change.conditions.includes(name));
  const parts = [
    ...gained.map((name) => `+${conditionLabel(name)}`),
    ...lost.map((name) => `−${conditionLabel(name)}`),
  ];
  return parts.length > 0 ? parts.join(', ') : 'unchanged';
}

function Delta({ now, before }: { now: number; before: number | undefined }) {
  if (before === undefined || before === now) return null;
  const delta = now - before;
  return (
    <Text span size="xs" c={delta > 0 ? 'green' : 'red'} ml={4}>
      ({delta > 0 ? '+' : ''}
      {formatNumber(delta, 1)})
    </Text>
  );
}

/** The signal's history: every published change, oldest first. */
export function SignalChanges({
  changes,
  tickSize,
}: {
  changes: SignalChange[];
  tickSize: string | null;
}) {
  return (
    <Card withBorder padding="md" radius="md" component="section" aria-labelledby="changes-title">
      <Title order={3} size="h5" mb="sm" id="changes-title">
        History of changes
      </Title>
      {changes.length === 0 ? (
        <Text c="dimmed" size="sm">
          No changes recorded.
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={640}>
          <Table striped highlightOnHover data-testid="signal-changes">
            <Table.Thead>
              <Table.Tr>
                <Table.Th title="When the platform recorded the change (this computer's clock, not the exchange's)">
                  Recorded
                </Table.Th>
                <Table.Th>Change</Table.Th>
                <Table.Th ta="right">Score</Table.Th>
                <Table.Th ta="right">Stop-loss</Table.Th>
                <Table.Th ta="right">Take-profit</Table.Th>
                <Table.Th>Conditions</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {changes.map((change, index) => {
                const previous = changes[index - 1];
                return (
                  <Table.Tr key={`${change.at}-${index}`}>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>
                      {formatDateTime(change.at)}
                    </Table.Td>
                    <Table.Td>
                      <Badge color={KIND_COLORS[change.kind]} variant="light">
                        {change.kind}
                      </Badge>
                      {change.reason && (
                        <Text span size="xs" c="dimmed" ml={6}>
                          {STATUS_LABELS[change.reason] ?? change.reason}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td ta="right">
                      {formatNumber(change.score, 1)}
                      <Delta now={change.score} before={previous?.score} />
                    </Table.Td>
                    <Table.Td ta="right">{formatPrice(change.stopLoss, tickSize)}</Table.Td>
                    <Table.Td ta="right">{formatPrice(change.takeProfit, tickSize)}</Table.Td>
                    <Table.Td>
                      <Text size="xs">{conditionDiff(change, previous)}</Text>
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
