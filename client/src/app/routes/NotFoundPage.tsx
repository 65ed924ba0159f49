import { Anchor, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';

export function NotFoundPage() {
  return (
    <Stack gap="xs">
      <Title order={2}>Page not found</Title>
      <Text c="dimmed">
        Nothing lives at this address.{' '}
        <Anchor component={Link} to="/">
          Back to the dashboard
        </Anchor>
      </Text>
    </Stack>
  );
}
