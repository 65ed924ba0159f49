import { Stack, Text, Title } from '@mantine/core';

/** A page whose feature is not built yet: its title and one line on what will be here. */
export function PlaceholderPage({ title, description }: { title: string; description: string }) {
  return (
    <Stack gap="xs">
      <Title order={2}>{title}</Title>
      <Text c="dimmed">{description}</Text>
    </Stack>
  );
}
