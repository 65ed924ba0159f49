import { Alert, Button, Group, Loader, Stack, Text } from '@mantine/core';

import { useExchangeAccounts } from '@/features/exchange-accounts/api/getExchangeAccounts';
import { AddExchangeAccountForm } from '@/features/exchange-accounts/components/AddExchangeAccountForm';
import { ExchangeAccountCard } from '@/features/exchange-accounts/components/ExchangeAccountCard';
import { describeApiError } from '@/lib/api';

/** `/exchange-accounts`: the user's accounts (the paper account first made at sign-up) and the form to add one. */
export function ExchangeAccountsView() {
  const accounts = useExchangeAccounts();

  let list;
  if (accounts.isPending) {
    list = (
      <Group gap="sm">
        <Loader size="sm" aria-hidden />
        <Text c="dimmed">Loading your accounts…</Text>
      </Group>
    );
  } else if (!accounts.data) {
    list = (
      <Alert color="red" title="Accounts unavailable">
        <Stack gap="xs" align="flex-start">
          <Text size="sm">{describeApiError(accounts.error)}</Text>
          <Button size="xs" variant="light" color="red" onClick={() => void accounts.refetch()}>
            Retry
          </Button>
        </Stack>
      </Alert>
    );
  } else if (accounts.data.length === 0) {
    list = <Text c="dimmed">No exchange accounts yet.</Text>;
  } else {
    list = (
      <Stack gap="md" aria-label="Exchange accounts" role="list">
        {accounts.data.map((account) => (
          <div role="listitem" key={account.id}>
            <ExchangeAccountCard account={account} />
          </div>
        ))}
      </Stack>
    );
  }

  return (
    <Stack gap="lg">
      {list}
      <AddExchangeAccountForm />
    </Stack>
  );
}
