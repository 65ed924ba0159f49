import { Stack, Text, Title } from '@mantine/core';

import { ExchangeAccountsView } from '@/features/exchange-accounts/components/ExchangeAccountsView';

export function ExchangeAccountsPage() {
  return (
    <Stack gap="lg" maw={960}>
      <div>
        <Title order={2}>Exchange accounts</Title>
        <Text c="dimmed">
          The Binance futures accounts strategies trade on. Keys are checked against their venue
          when added and stored encrypted; the secret is never shown again.
        </Text>
      </div>
      <ExchangeAccountsView />
    </Stack>
  );
}
