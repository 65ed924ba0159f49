import { Stack, Title } from '@mantine/core';

import { AccountSettings } from '@/features/auth/components/AccountSettings';

export function AccountPage() {
  return (
    <Stack gap="lg" maw={720}>
      <Title order={2}>Account</Title>
      <AccountSettings />
    </Stack>
  );
}
