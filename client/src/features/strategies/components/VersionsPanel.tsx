import { Badge, Button, Card, Group, Stack, Text, Title } from '@mantine/core';

import { useVersions } from '@/features/strategies/api/queries';
import { refusalMessage } from '@/features/strategies/utils/compile-errors';
import { formatDateTime } from '@/lib/format';

/**
 * The strategy's saved versions, newest first. Loading one puts it on the workspace; it stays as
 * saved (versions are immutable): saving what is on the workspace makes a new version.
 */
export function VersionsPanel({
  strategyId,
  shown,
  loading,
  onLoad,
}: {
  strategyId: number;
  /** The version on the workspace (null: none, or not saved yet). */
  shown: number | null;
  loading: boolean;
  onLoad: (number: number) => void;
}) {
  const versions = useVersions(strategyId);
  return (
    <Card withBorder>
      <Title order={4} mb={4}>
        Versions
      </Title>
      <Text size="xs" c="dimmed" mb="sm">
        A saved version never changes. Loading an old one and saving makes a new version.
      </Text>
      {versions.isPending && <Text c="dimmed">Loading…</Text>}
      {versions.isError && <Text c="red">{refusalMessage(versions.error)}</Text>}
      {versions.data?.length === 0 && <Text c="dimmed">Not saved yet.</Text>}
      <Stack gap={6} aria-label="Versions" component="ul" p={0} m={0} style={{ listStyle: 'none' }}>
        {versions.data?.map((v) => (
          <Group key={v.number} component="li" justify="space-between" data-testid="version-row">
            <Group gap="xs">
              <Badge variant={v.number === shown ? 'filled' : 'light'}>v{v.number}</Badge>
              <Text size="xs">{formatDateTime(v.createdAt)}</Text>
            </Group>
            {v.number === shown ? (
              <Text size="xs" c="dimmed">
                on the workspace
              </Text>
            ) : (
              <Button
                size="compact-xs"
                variant="default"
                disabled={loading}
                aria-label={`Load version ${v.number}`}
                onClick={() => {
                  onLoad(v.number);
                }}
              >
                Load
              </Button>
            )}
          </Group>
        ))}
      </Stack>
    </Card>
  );
}
