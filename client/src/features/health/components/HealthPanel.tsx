import { Alert, Badge, Button, Card, Group, Loader, Stack, Text, Title } from '@mantine/core';
import { useId } from 'react';

import {
  HEALTH_REFETCH_INTERVAL_MS,
  useHealth,
  type HealthCheck,
} from '@/features/health/api/getHealth';
import { describeApiError } from '@/lib/api';

const CHECK_LABELS: Record<string, string> = {
  database: 'Database',
  redis: 'Redis',
  channel_layer: 'Channel layer',
  celery: 'Celery',
};

function checkLabel(name: string): string {
  const label = CHECK_LABELS[name];
  if (label) return label;
  const words = name.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function checkDetails(check: HealthCheck): string {
  const parts: string[] = [];
  if (check.latencyMs !== null) parts.push(`${check.latencyMs.toFixed(1)} ms`);
  if (check.workers !== null) {
    const count = check.workers.length;
    parts.push(count === 1 ? '1 worker' : `${count} workers`);
  }
  return parts.join(' · ');
}

function formatTime(timestamp: number): string {
  return new Date(timestamp).toLocaleTimeString();
}

function CheckRow({ check }: { check: HealthCheck }) {
  const details = checkDetails(check);
  return (
    <Group component="li" justify="space-between" wrap="nowrap" align="flex-start">
      <div style={{ minWidth: 0 }}>
        <Text fw={500}>{checkLabel(check.name)}</Text>
        {details && (
          <Text size="sm" c="dimmed">
            {details}
          </Text>
        )}
        {!check.ok && check.error && (
          <Text size="sm" c="red" style={{ overflowWrap: 'anywhere' }}>
            {check.error}
          </Text>
        )}
      </div>
      <Badge color={check.ok ? 'green' : 'red'} variant="light" style={{ flexShrink: 0 }}>
        {check.ok ? 'OK' : 'Failed'}
      </Badge>
    </Group>
  );
}

/** The backend's health report: one badge per part, polled every few seconds. */
export function HealthPanel() {
  const titleId = useId();
  const health = useHealth();
  const { data, error, isPending, isFetching, dataUpdatedAt, refetch } = health;

  let body;
  if (isPending) {
    body = (
      <Group gap="sm">
        <Loader size="sm" aria-hidden />
        <Text c="dimmed">Checking services…</Text>
      </Group>
    );
  } else if (!data) {
    body = (
      <Alert color="red" title="System status unavailable">
        <Stack gap="xs" align="flex-start">
          <Text size="sm">{describeApiError(error)}</Text>
          <Button
            size="xs"
            variant="light"
            color="red"
            loading={isFetching}
            onClick={() => void refetch()}
          >
            Retry
          </Button>
        </Stack>
      </Alert>
    );
  } else {
    body = (
      <Stack gap="sm">
        {error && (
          <Alert color="yellow" title="Refresh failed">
            {describeApiError(error)} Showing the report from {formatTime(dataUpdatedAt)}.
          </Alert>
        )}
        <Stack
          component="ul"
          gap="sm"
          m={0}
          p={0}
          style={{ listStyle: 'none' }}
          aria-label="Checks"
        >
          {data.checks.map((check) => (
            <CheckRow key={check.name} check={check} />
          ))}
        </Stack>
        <Text size="xs" c="dimmed">
          Updated {formatTime(dataUpdatedAt)} · refreshes every {HEALTH_REFETCH_INTERVAL_MS / 1000}{' '}
          s
        </Text>
      </Stack>
    );
  }

  return (
    <Card component="section" aria-labelledby={titleId} withBorder padding="lg" radius="md">
      <Group justify="space-between" mb="md">
        <Title order={2} size="h4" id={titleId}>
          System status
        </Title>
        {data && (
          <Badge color={data.status === 'ok' ? 'green' : 'red'} variant="filled">
            {data.status === 'ok' ? 'All systems operational' : 'Degraded'}
          </Badge>
        )}
      </Group>
      {body}
    </Card>
  );
}
