import { ActionIcon, Button, Group, TextInput, Title, Tooltip } from '@mantine/core';
import { IconPencil } from '@tabler/icons-react';
import { useState } from 'react';

import type { ExchangeAccount } from '@/features/exchange-accounts/api/exchange-account';
import { useRelabelExchangeAccount } from '@/features/exchange-accounts/api/manageExchangeAccount';
import { formError } from '@/lib/form-errors';

/** The account's label, renamed in place. */
export function LabelEditor({ account }: { account: ExchangeAccount }) {
  const relabel = useRelabelExchangeAccount();
  const [draft, setDraft] = useState<string | null>(null);

  if (draft === null) {
    return (
      <Group gap={4} wrap="nowrap">
        <Title order={3} size="h4" lineClamp={1}>
          {account.label}
        </Title>
        <Tooltip label="Rename">
          <ActionIcon
            variant="subtle"
            color="gray"
            aria-label={`Rename ${account.label}`}
            onClick={() => {
              relabel.reset();
              setDraft(account.label);
            }}
          >
            <IconPencil size={16} />
          </ActionIcon>
        </Tooltip>
      </Group>
    );
  }
  const error = relabel.error ? formError(relabel.error, ['label']) : null;
  return (
    <form
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        relabel.mutate(
          { id: account.id, label: draft },
          {
            onSuccess: () => {
              setDraft(null);
            },
          },
        );
      }}
    >
      <Group gap="xs" align="flex-start" wrap="nowrap">
        <TextInput
          aria-label="Label"
          size="xs"
          value={draft}
          maxLength={80}
          autoFocus
          error={error?.fields.label ?? error?.message}
          onChange={(event) => {
            setDraft(event.currentTarget.value);
          }}
          onKeyDown={(event) => {
            if (event.key === 'Escape') setDraft(null);
          }}
        />
        <Button type="submit" size="xs" loading={relabel.isPending}>
          Save
        </Button>
        <Button
          size="xs"
          variant="default"
          onClick={() => {
            setDraft(null);
          }}
        >
          Cancel
        </Button>
      </Group>
    </form>
  );
}
