import { Group, Stack, Title } from '@mantine/core';

import { HealthPanel } from '@/features/health/components/HealthPanel';
import { ConnectionBadge } from '@/features/signals/components/ConnectionBadge';
import { SignalBoard } from '@/features/signals/components/SignalBoard';
import { SignalStatsCards } from '@/features/signals/components/SignalStatsCards';

export function DashboardPage() {
  return (
    <Stack gap="lg">
      <Group justify="space-between">
        <Title order={2}>Dashboard</Title>
        <ConnectionBadge />
      </Group>
      <SignalStatsCards />
      <SignalBoard />
      <Title order={3} size="h4" mt="md">
        System
      </Title>
      <div style={{ maxWidth: 520 }}>
        <HealthPanel />
      </div>
    </Stack>
  );
}
