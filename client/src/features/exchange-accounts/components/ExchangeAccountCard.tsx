import {
  Alert,
  Badge,
  Button,
  Card,
  Code,
  Group,
  List,
  SimpleGrid,
  Stack,
  Text,
} from '@mantine/core';
import type { ReactNode } from 'react';

import type {
  AccountStatus,
  ExchangeAccount,
  Venue,
} from '@/features/exchange-accounts/api/exchange-account';
import { useVerifyExchangeAccount } from '@/features/exchange-accounts/api/manageExchangeAccount';
import { AccountBalance } from '@/features/exchange-accounts/components/AccountBalance';
import { DeleteAccountButton } from '@/features/exchange-accounts/components/DeleteAccountButton';
import { LabelEditor } from '@/features/exchange-accounts/components/LabelEditor';
import { formatDateTime } from '@/lib/format';
import { formError } from '@/lib/form-errors';

const VENUE_LABELS: Record<Venue, string> = {
  sandbox: 'Sandbox',
  testnet: 'Testnet',
  live: 'Live',
};
const VENUE_COLORS: Record<Venue, string> = { sandbox: 'violet', testnet: 'cyan', live: 'red' };
const STATUS: Record<AccountStatus, { label: string; color: string }> = {
  verified: { label: 'Verified', color: 'green' },
  unverified: { label: 'Not verified', color: 'gray' },
  failed: { label: 'Failed', color: 'red' },
};

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Stack gap={2}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      {children}
    </Stack>
  );
}

/** One exchange account: what it is, whether its key works, its balance, and what can be done. */
export function ExchangeAccountCard({ account }: { account: ExchangeAccount }) {
  const verify = useVerifyExchangeAccount();
  const status = STATUS[account.status];
  const verifyError = verify.error ? formError(verify.error, []).message : null;

  return (
    <Card
      component="article"
      aria-label={account.label}
      withBorder
      radius="md"
      padding="lg"
      data-testid="exchange-account"
    >
      <Stack gap="md">
        <Group justify="space-between" align="flex-start" wrap="wrap" gap="sm">
          <Group gap="xs" wrap="wrap">
            <LabelEditor account={account} />
            <Badge color={VENUE_COLORS[account.venue]} variant="light">
              {VENUE_LABELS[account.venue]}
            </Badge>
            {account.isPaper && (
              <Badge color="teal" variant="outline">
                Paper
              </Badge>
            )}
          </Group>
          <Badge color={status.color} variant="filled">
            {status.label}
          </Badge>
        </Group>

        {account.statusDetail && (
          <Text size="sm" c={account.status === 'failed' ? 'red' : 'dimmed'}>
            {account.statusDetail}
          </Text>
        )}

        <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="md">
          <Field label="API key">
            <Text ff="monospace" aria-label={`API key ending in ${account.apiKeyLast4}`}>
              ••••{account.apiKeyLast4}
            </Text>
          </Field>
          <Field label="Fingerprint">
            <Code>{account.fingerprint}</Code>
          </Field>
          <Field label="Last verified">
            <Text size="sm">
              {account.verifiedAt === null ? 'Never' : formatDateTime(account.verifiedAt)}
            </Text>
          </Field>
        </SimpleGrid>

        {account.warnings.length > 0 && (
          <Alert color="yellow" title="Warnings">
            <List size="sm">
              {account.warnings.map((warning) => (
                <List.Item key={warning}>{warning}</List.Item>
              ))}
            </List>
          </Alert>
        )}

        <AccountBalance key={account.id} accountId={account.id} auto={account.isPaper} />

        {verifyError && (
          <Text size="sm" c="red" role="alert">
            {verifyError}
          </Text>
        )}
        <Group gap="sm">
          <Button
            size="xs"
            variant="light"
            loading={verify.isPending}
            onClick={() => {
              verify.mutate(account.id);
            }}
          >
            Verify
          </Button>
          <DeleteAccountButton account={account} />
        </Group>
      </Stack>
    </Card>
  );
}
