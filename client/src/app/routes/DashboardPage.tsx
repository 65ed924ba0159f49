import { SimpleGrid, Stack, Title } from '@mantine/core';

import { HealthPanel } from '@/features/health/components/HealthPanel';

export function DashboardPage() {
  return (
    <Stack gap="lg">
      <Title order={2}>Dashboard</Title>
      <SimpleGrid cols={{ base: 1, md: 2, xl: 3 }}>
        <HealthPanel />
      </SimpleGrid>
    </Stack>
  );
}
