import { Stack, Title } from '@mantine/core';

import { PerformanceView } from '@/features/performance/components/PerformanceView';

export function PerformancePage() {
  return (
    <Stack gap="lg">
      <Title order={2}>Performance</Title>
      <PerformanceView />
    </Stack>
  );
}
