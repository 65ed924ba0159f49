import { Button, Group, Loader, Stack, Text } from '@mantine/core';
import { useState } from 'react';

import { useExchangeAccountBalance } from '@/features/exchange-accounts/api/getExchangeAccountBalance';
import { formatNumber } from '@/lib/format';
import { formError } from '@/lib/form-errors';

const QUOTE_ASSET = 'USDT';

function Figure({ label, value }: { label: string; value: string }) {
  return (
    <Stack gap={0}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text fw={600} ff="monospace">
        {value} {QUOTE_ASSET}
      </Text>
    </Stack>
  );
}

/**
 * The account's USDT wallet and available balance, read from its venue. The paper account shows
 * it at once; other accounts on request (each read is a call to the user's exchange).
 */
export function AccountBalance({ accountId, auto }: { accountId: number; auto: boolean }) {
  const [requested, setRequested] = useState(auto);
  const balance = useExchangeAccountBalance(accountId, { enabled: requested });

  let body;
  if (!requested) {
    body = (
      <Button
        size="xs"
        variant="light"
        onClick={() => {
          setRequested(true);
        }}
      >
        Show balance
      </Button>
    );
  } else if (balance.isPending) {
    body = (
      <Group gap="xs">
        <Loader size="xs" aria-hidden />
        <Text size="sm" c="dimmed">
          Reading the balance…
        </Text>
      </Group>
    );
  } else if (!balance.data) {
    body = (
      <Group gap="xs">
        <Text size="sm" c="red">
          Balance unavailable: {formError(balance.error, []).message}
        </Text>
        <Button size="xs" variant="subtle" onClick={() => void balance.refetch()}>
          Retry
        </Button>
      </Group>
    );
  } else {
    const usdt = balance.data.find((asset) => asset.asset === QUOTE_ASSET);
    body = usdt ? (
      <Group gap="xl">
        <Figure label="Wallet" value={formatNumber(Number(usdt.walletBalance), 2)} />
        <Figure label="Available" value={formatNumber(Number(usdt.availableBalance), 2)} />
      </Group>
    ) : (
      <Text size="sm" c="dimmed">
        No {QUOTE_ASSET} in this futures wallet.
      </Text>
    );
  }
  return (
    <section aria-label="Balance">
      <Text size="sm" fw={500} mb={4}>
        Balance
      </Text>
      {body}
    </section>
  );
}
