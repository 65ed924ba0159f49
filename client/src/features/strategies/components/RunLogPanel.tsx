import { Badge, Card, Group, ScrollArea, Stack, Text, Title } from '@mantine/core';

import { useRunLogs } from '@/features/strategies/api/run-queries';
import { refusalMessage } from '@/features/strategies/utils/compile-errors';
import { formatDateTime, formatTime } from '@/lib/format';

const LEVEL_COLOR: Record<string, string> = {
  info: 'gray',
  notify: 'blue',
  warning: 'orange',
  error: 'red',
};

/**
 * The run's log, newest first: the latest page over REST, then each line the engine pushes on
 * `/ws/account/` (the app's one connection writes it into the cached page: `run-events.ts`).
 * A line made on a candle shows that candle's open time (the market's clock, as on the chart);
 * when it was logged is in its tooltip.
 */
export function RunLogPanel({ runId }: { runId: number }) {
  const logs = useRunLogs(runId);
  return (
    <Card withBorder>
      <Title order={4} mb="xs">
        Log of run #{runId}
      </Title>
      {logs.isPending && <Text c="dimmed">Loading…</Text>}
      {logs.isError && <Text c="red">{refusalMessage(logs.error)}</Text>}
      {logs.data?.length === 0 && (
        <Text c="dimmed" size="sm">
          Nothing logged yet: lines appear as candles close.
        </Text>
      )}
      <ScrollArea.Autosize mah={320}>
        <Stack
          gap={2}
          component="ol"
          p={0}
          m={0}
          aria-label="Run log"
          style={{ listStyle: 'none' }}
        >
          {logs.data?.map((line) => (
            <Group
              key={`${line.id ?? 'live'}-${line.at}-${line.level}-${line.symbol}-${line.message}`}
              component="li"
              gap="xs"
              wrap="nowrap"
              align="baseline"
              data-testid="run-log-line"
            >
              <Text
                size="xs"
                c="dimmed"
                style={{ whiteSpace: 'nowrap' }}
                title={`logged ${formatDateTime(line.at)}`}
              >
                {line.candleTime === null
                  ? formatTime(line.at)
                  : `candle ${formatTime(line.candleTime)}`}
              </Text>
              <Badge
                size="xs"
                variant="light"
                color={LEVEL_COLOR[line.level] ?? 'gray'}
                style={{ flexShrink: 0, overflow: 'visible' }}
              >
                {line.level}
              </Badge>
              {line.symbol && (
                <Text size="xs" fw={500} style={{ flexShrink: 0 }}>
                  {line.symbol}
                </Text>
              )}
              <Text size="sm" style={{ flex: 1, minWidth: 0, overflowWrap: 'anywhere' }}>
                {line.message}
              </Text>
            </Group>
          ))}
        </Stack>
      </ScrollArea.Autosize>
    </Card>
  );
}
