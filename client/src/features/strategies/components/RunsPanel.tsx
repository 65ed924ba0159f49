import {
  Alert,
  Badge,
  Button,
  Card,
  Code,
  Collapse,
  Group,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { useState } from 'react';

import { useRunTrigger } from '@/features/strategies/api/run-mutations';
import { useRunDetail, useRuns } from '@/features/strategies/api/run-queries';
import type { Run, RunStatus } from '@/features/strategies/api/runs';
import { refusalMessage } from '@/features/strategies/utils/compile-errors';
import { triggersOf } from '@/features/strategies/utils/run-controls';

/** A strategy's runs shown with their PnL: each is one request for the run's detail. */
const RUNS_SHOWN = 20;

const STATUS_COLOR: Record<RunStatus, string> = {
  NEW: 'gray',
  RUNNING: 'teal',
  PAUSED: 'yellow',
  STOPPED: 'gray',
  ERROR: 'red',
};

const TRIGGER_LABEL = { pause: 'Pause', resume: 'Resume', stop: 'Stop' } as const;

function signed(text: string): string {
  const value = Number(text);
  return `${value > 0 ? '+' : ''}${value.toFixed(2)}`;
}

/** Realised + unrealised - commission, USDT, from the run's detail. */
function RunPnl({ runId }: { runId: number }) {
  const detail = useRunDetail(runId);
  if (!detail.data) return <Text size="sm">{detail.isError ? '?' : '…'}</Text>;
  const { realized, unrealized, commission } = detail.data.pnl;
  const net = Number(realized) + Number(unrealized) - Number(commission);
  return (
    <Text
      size="sm"
      c={net > 0 ? 'teal' : net < 0 ? 'red' : 'dimmed'}
      title={`realised ${realized}, unrealised ${unrealized}, commission ${commission} USDT`}
      data-testid="run-pnl"
    >
      {signed(String(net))}
    </Text>
  );
}

function RunError({ run }: { run: Run }) {
  const [open, setOpen] = useState(false);
  const detail = useRunDetail(open ? run.id : null);
  return (
    <>
      <Button
        size="compact-xs"
        variant="subtle"
        color="red"
        onClick={() => {
          setOpen((o) => !o);
        }}
      >
        {open ? 'Hide trace' : 'Show trace'}
      </Button>
      <Collapse expanded={open}>
        <Code block data-testid="run-trace" mah={240} style={{ overflow: 'auto' }}>
          {detail.data?.trace ?? (detail.isError ? refusalMessage(detail.error) : 'Loading…')}
        </Code>
      </Collapse>
    </>
  );
}

/** The strategy's runs, newest first: state, PnL, controls; a row selects the run below. */
export function RunsPanel({
  strategyId,
  selected,
  onSelect,
}: {
  strategyId: number;
  selected: number | null;
  onSelect: (runId: number) => void;
}) {
  const runs = useRuns();
  const trigger = useRunTrigger();
  const mine = (runs.data ?? []).filter((r) => r.strategy === strategyId).slice(0, RUNS_SHOWN);
  return (
    <Card withBorder>
      <Title order={4} mb="xs">
        Runs
      </Title>
      {runs.isError && <Text c="red">{refusalMessage(runs.error)}</Text>}
      {runs.data && mine.length === 0 && <Text c="dimmed">Not run yet.</Text>}
      {trigger.isError && (
        <Alert color="red" role="alert" p="xs" mb="xs">
          {refusalMessage(trigger.error)}
        </Alert>
      )}
      {mine.length > 0 && (
        <Table highlightOnHover aria-label="Runs">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Run</Table.Th>
              <Table.Th>Symbols</Table.Th>
              <Table.Th>State</Table.Th>
              <Table.Th>PnL (USDT)</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {mine.map((run) => (
              <Table.Tr
                key={run.id}
                data-testid="run-row"
                data-status={run.status}
                {...(run.id === selected ? { bg: 'var(--mantine-color-blue-light)' } : {})}
              >
                <Table.Td>
                  <Button
                    size="compact-sm"
                    variant="subtle"
                    aria-current={run.id === selected ? 'true' : undefined}
                    onClick={() => {
                      onSelect(run.id);
                    }}
                  >
                    #{run.id} · v{run.version} · {run.timeframe}
                  </Button>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{run.symbols.join(', ')}</Text>
                </Table.Td>
                <Table.Td miw={100}>
                  <Badge
                    color={STATUS_COLOR[run.status]}
                    variant="light"
                    data-testid="run-status"
                    style={{ overflow: 'visible' }}
                  >
                    {run.status}
                  </Badge>
                  {run.status === 'ERROR' && (
                    <>
                      <Text size="xs" c="red">
                        {run.error}
                      </Text>
                      <RunError run={run} />
                    </>
                  )}
                </Table.Td>
                <Table.Td>
                  <RunPnl runId={run.id} />
                </Table.Td>
                <Table.Td>
                  <Group gap={4} wrap="nowrap">
                    {triggersOf(run.status).map((t) => (
                      <Button
                        key={t}
                        size="compact-xs"
                        variant={t === 'stop' ? 'light' : 'default'}
                        color={t === 'stop' ? 'red' : 'gray'}
                        disabled={trigger.isPending}
                        aria-label={`${TRIGGER_LABEL[t]} run ${run.id}`}
                        onClick={() => {
                          if (
                            t === 'stop' &&
                            !window.confirm(`Stop run ${run.id}? It cannot be resumed.`)
                          ) {
                            return;
                          }
                          trigger.mutate({ runId: run.id, trigger: t });
                        }}
                      >
                        {TRIGGER_LABEL[t]}
                      </Button>
                    ))}
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Card>
  );
}
