import {
  Alert,
  Button,
  Card,
  Group,
  Modal,
  SegmentedControl,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { useState } from 'react';

import {
  useKillSwitch,
  usePositionMode,
  useReconcile,
  useResume,
} from '@/features/trading/api/mutations';
import type { Balance, TradingAccountDetail } from '@/features/trading/api/trading';
import { fmt, pnlColor } from '@/features/trading/components/money';
import { messageOf } from '@/features/trading/utils/errors';

export function BalancesCard({ balances }: { balances: Balance[] }) {
  return (
    <Card withBorder>
      <Title order={4} mb="sm">
        Balances
      </Title>
      {balances.length === 0 ? (
        <Text c="dimmed">No balance read yet (the next reconciliation brings it).</Text>
      ) : (
        <Table aria-label="Balances">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Asset</Table.Th>
              <Table.Th>Wallet</Table.Th>
              <Table.Th>Available</Table.Th>
              <Table.Th>Unrealised PnL</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {balances.map((b) => (
              <Table.Tr key={b.asset}>
                <Table.Td>{b.asset}</Table.Td>
                <Table.Td data-testid={`wallet-${b.asset}`}>{fmt(b.walletBalance)}</Table.Td>
                <Table.Td>{fmt(b.availableBalance)}</Table.Td>
                <Table.Td>
                  <Text c={pnlColor(b.unrealizedPnl)} size="sm">
                    {fmt(b.unrealizedPnl, 4)}
                  </Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Card>
  );
}

/** Mode, pause state, kill switch (behind a confirmation), reconciliation, risk limits. */
export function AccountControls({ detail }: { detail: TradingAccountDetail }) {
  const { account, risk } = detail;
  const mode = usePositionMode(account.id);
  const kill = useKillSwitch(account.id);
  const resume = useResume(account.id);
  const reconcile = useReconcile(account.id);
  const [confirming, setConfirming] = useState(false);
  const error = mode.error ?? kill.error ?? resume.error ?? reconcile.error;
  const run = detail.lastReconciliation;

  return (
    <Card withBorder>
      <Stack gap="xs">
        <Group justify="space-between">
          <Title order={4}>Account</Title>
          <Button
            color="red"
            onClick={() => {
              setConfirming(true);
            }}
            loading={kill.isPending}
          >
            Kill switch
          </Button>
        </Group>
        {account.paused && (
          <Alert color="orange" title="Paused: closing orders only">
            {account.pauseReason || 'Trading is paused on this account.'}{' '}
            <Button
              size="xs"
              variant="light"
              onClick={() => {
                resume.mutate();
              }}
              loading={resume.isPending}
            >
              Resume
            </Button>
          </Alert>
        )}
        <Group>
          <Text size="sm">Position mode</Text>
          <SegmentedControl
            aria-label="Position mode"
            size="xs"
            value={account.hedgeMode ? 'hedge' : 'oneway'}
            onChange={(value) => {
              mode.mutate(value === 'hedge');
            }}
            data={[
              { value: 'oneway', label: 'One-way' },
              { value: 'hedge', label: 'Hedge' },
            ]}
          />
        </Group>
        <Text size="sm" c="dimmed">
          Limits: leverage ≤ {risk.maxLeverage}x · position ≤ {fmt(risk.maxPositionNotional, 0)}{' '}
          USDT · total ≤ {fmt(risk.maxTotalNotional, 0)} USDT · ≤ {risk.maxOpenPositions} positions
          · ≤ {risk.maxOrdersPerMinute} orders/min · daily loss ≤{' '}
          {risk.dailyLossLimit ? `${fmt(risk.dailyLossLimit, 0)} USDT` : 'off'}
        </Text>
        <Group>
          <Button
            size="xs"
            variant="default"
            onClick={() => {
              reconcile.mutate();
            }}
            loading={reconcile.isPending}
          >
            Reconcile now
          </Button>
          <Text size="xs" c="dimmed" data-testid="last-reconciliation">
            {run
              ? `Last reconciliation: ${run.status}${run.diffs.length ? `, ${run.diffs.length} corrections` : ''}`
              : 'Not reconciled yet'}
          </Text>
        </Group>
        {error && (
          <Alert color="red" role="alert">
            {messageOf(error)}
          </Alert>
        )}
      </Stack>
      <Modal
        opened={confirming}
        onClose={() => {
          setConfirming(false);
        }}
        title="Kill switch"
      >
        <Text mb="md">
          Every open order of <b>{account.label}</b> is canceled and every position closed at
          market. The account is paused until you resume it.
        </Text>
        <Group justify="flex-end">
          <Button
            variant="default"
            onClick={() => {
              setConfirming(false);
            }}
          >
            Keep trading
          </Button>
          <Button
            color="red"
            onClick={() => {
              setConfirming(false);
              kill.mutate();
            }}
          >
            Cancel everything and close all positions
          </Button>
        </Group>
      </Modal>
    </Card>
  );
}
