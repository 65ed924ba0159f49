import { Alert, Group, Loader, Select, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useSearchParams } from 'react-router';

import { useTradingAccount, useTradingAccounts } from '@/features/trading/api/queries';
import { AccountControls, BalancesCard } from '@/features/trading/components/AccountControls';
import { OrdersPanel } from '@/features/trading/components/OrdersPanel';
import { OrderTicket } from '@/features/trading/components/OrderTicket';
import { PositionsTable } from '@/features/trading/components/PositionsTable';
import { ReconciliationRuns } from '@/features/trading/components/ReconciliationRuns';
import { RiskLimitsForm } from '@/features/trading/components/RiskLimitsForm';
import { messageOf } from '@/features/trading/utils/errors';
import { VenueBadge } from '@/features/trading/components/VenueBadge';

/** The trading page: one exchange account at a time (`?account=<id>`, the first by default). */
export function TradingView() {
  const accounts = useTradingAccounts();
  const [params, setParams] = useSearchParams();
  const list = accounts.data ?? [];
  const wanted = Number(params.get('account'));
  const selected = list.find((a) => a.id === wanted) ?? list[0] ?? null;
  const detail = useTradingAccount(selected?.id ?? null);

  if (accounts.isPending) return <Loader aria-label="Loading" />;
  if (accounts.isError) return <Alert color="red">{messageOf(accounts.error)}</Alert>;
  if (!selected) return <Text>No exchange account yet: add one under Exchange accounts.</Text>;

  return (
    <Stack>
      <Group justify="space-between">
        <Group>
          <Title order={2}>Trading</Title>
          <VenueBadge venue={selected.venue} />
        </Group>
        <Select
          aria-label="Exchange account"
          value={String(selected.id)}
          data={list.map((a) => ({ value: String(a.id), label: `${a.label} (${a.venue})` }))}
          onChange={(value) => {
            if (value) setParams({ account: value });
          }}
          allowDeselect={false}
        />
      </Group>
      {detail.isPending && <Loader aria-label="Loading account" />}
      {detail.isError && <Alert color="red">{messageOf(detail.error)}</Alert>}
      {detail.data && (
        <SimpleGrid cols={{ base: 1, lg: 3 }}>
          <Stack style={{ gridColumn: 'span 2' }}>
            <BalancesCard balances={detail.data.balances} />
            <PositionsTable accountId={selected.id} positions={detail.data.positions} />
            <OrdersPanel accountId={selected.id} />
          </Stack>
          <Stack>
            <OrderTicket accountId={selected.id} venue={selected.venue} />
            <AccountControls detail={detail.data} />
            <RiskLimitsForm key={selected.id} accountId={selected.id} risk={detail.data.risk} />
            <ReconciliationRuns accountId={selected.id} />
          </Stack>
        </SimpleGrid>
      )}
    </Stack>
  );
}
