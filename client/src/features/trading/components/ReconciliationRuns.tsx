import { Alert, Card, Loader, Stack, Table, Text, Title } from '@mantine/core';

import { useReconciliationRuns } from '@/features/trading/api/queries';
import { messageOf } from '@/features/trading/utils/errors';

const STATUS_COLOR: Record<string, string> = {
  clean: 'teal',
  corrected: 'orange',
  failed: 'red',
  running: 'blue',
};

/** Recent reconciliation runs of the account: what the exchange said and what was corrected. */
export function ReconciliationRuns({ accountId }: { accountId: number }) {
  const runs = useReconciliationRuns(accountId);
  return (
    <Card withBorder>
      <Stack gap="xs">
        <Title order={4}>Reconciliation runs</Title>
        {runs.isPending && <Loader size="sm" aria-label="Loading runs" />}
        {runs.isError && <Alert color="red">{messageOf(runs.error)}</Alert>}
        {runs.data?.results.length === 0 && <Text c="dimmed">No run yet.</Text>}
        {runs.data && runs.data.results.length > 0 && (
          <Table aria-label="Reconciliation runs" fz="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Started</Table.Th>
                <Table.Th>Trigger</Table.Th>
                <Table.Th>Result</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {runs.data.results.map((run) => (
                <Table.Tr key={run.id} data-testid="reconciliation-run">
                  <Table.Td>
                    {run.startedAt ? new Date(run.startedAt).toLocaleString() : '—'}
                  </Table.Td>
                  <Table.Td>{run.trigger}</Table.Td>
                  <Table.Td>
                    <Text size="xs" fw={700} c={STATUS_COLOR[run.status] ?? 'gray'}>
                      {run.status}
                    </Text>
                    {run.diffs.map((d, i) => (
                      <Text size="xs" key={i}>
                        {d.kind} {d.key} {d.field}: {d.platform ?? '∅'} → {d.exchange ?? '∅'}
                      </Text>
                    ))}
                    {run.error && (
                      <Text size="xs" c="red">
                        {run.error}
                      </Text>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Stack>
    </Card>
  );
}
