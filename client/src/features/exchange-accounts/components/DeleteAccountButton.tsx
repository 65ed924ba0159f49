import { Button, Group, Modal, Stack, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';

import type { ExchangeAccount } from '@/features/exchange-accounts/api/exchange-account';
import { useDeleteExchangeAccount } from '@/features/exchange-accounts/api/manageExchangeAccount';
import { formError } from '@/lib/form-errors';

/** Delete, after a confirmation that says what is lost. */
export function DeleteAccountButton({ account }: { account: ExchangeAccount }) {
  const [opened, { open, close }] = useDisclosure(false);
  const remove = useDeleteExchangeAccount();
  const error = remove.error ? formError(remove.error, []).message : null;

  return (
    <>
      <Button
        size="xs"
        variant="light"
        color="red"
        onClick={() => {
          remove.reset();
          open();
        }}
      >
        Delete
      </Button>
      <Modal opened={opened} onClose={close} title={`Delete “${account.label}”?`} centered>
        <Stack gap="md">
          <Text size="sm">
            {account.isPaper
              ? 'The paper account and its sandbox key are deleted. A new paper account, with the starting balance, is made the next time this page loads.'
              : `The stored key (••••${account.apiKeyLast4}) and secret are deleted from this platform. The key itself stays valid on Binance: revoke it there if you no longer use it.`}
          </Text>
          {error && (
            <Text size="sm" c="red" role="alert">
              {error}
            </Text>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button
              color="red"
              loading={remove.isPending}
              onClick={() => {
                remove.mutate(account.id, { onSuccess: close });
              }}
            >
              Delete
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
