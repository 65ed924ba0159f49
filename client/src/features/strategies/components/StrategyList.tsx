import { Badge, Card, Table, Text, Title, UnstyledButton } from '@mantine/core';

import { useStrategies } from '@/features/strategies/api/queries';
import { refusalMessage } from '@/features/strategies/utils/compile-errors';
import { formatDateTime } from '@/lib/format';

/** The user's strategies, most recently changed first (the API's order); a row opens one. */
export function StrategyList({
  openId,
  onOpen,
}: {
  openId: number | null;
  onOpen: (id: number) => void;
}) {
  const strategies = useStrategies();
  return (
    <Card withBorder>
      <Title order={4} mb="sm">
        Your strategies
      </Title>
      {strategies.isPending && <Text c="dimmed">Loading…</Text>}
      {strategies.isError && <Text c="red">{refusalMessage(strategies.error)}</Text>}
      {strategies.data?.length === 0 && (
        <Text c="dimmed">None yet: start one from a template.</Text>
      )}
      {strategies.data && strategies.data.length > 0 && (
        <Table highlightOnHover aria-label="Your strategies">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Version</Table.Th>
              <Table.Th>Updated</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {strategies.data.map((s) => (
              <Table.Tr
                key={s.id}
                data-testid="strategy-row"
                {...(s.id === openId ? { bg: 'var(--mantine-color-blue-light)' } : {})}
              >
                <Table.Td>
                  <UnstyledButton
                    fw={500}
                    aria-current={s.id === openId ? 'true' : undefined}
                    onClick={() => {
                      onOpen(s.id);
                    }}
                  >
                    {s.name}
                  </UnstyledButton>
                </Table.Td>
                <Table.Td>
                  {s.latestVersion === null ? (
                    <Text size="sm" c="dimmed">
                      not saved
                    </Text>
                  ) : (
                    <Badge variant="light">v{s.latestVersion}</Badge>
                  )}
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{formatDateTime(s.updatedAt)}</Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Card>
  );
}
