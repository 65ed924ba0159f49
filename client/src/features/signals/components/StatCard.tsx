import { Card, Skeleton, Text } from '@mantine/core';
import type { ReactNode } from 'react';

/** A number with a title and a line of context. */
export function StatCard({
  title,
  value,
  hint,
  loading = false,
  testId,
  children,
}: {
  title: string;
  value: ReactNode;
  hint?: ReactNode;
  loading?: boolean;
  testId?: string;
  children?: ReactNode;
}) {
  return (
    <Card withBorder padding="md" radius="md" data-testid={testId}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {title}
      </Text>
      {loading ? (
        <Skeleton height={30} mt={6} width="60%" />
      ) : (
        <Text fz={26} fw={700} style={{ fontVariantNumeric: 'tabular-nums' }}>
          {value}
        </Text>
      )}
      {hint !== undefined && (
        <Text size="xs" c="dimmed" component="div">
          {hint}
        </Text>
      )}
      {children}
    </Card>
  );
}
