import {
  Alert,
  Button,
  Card,
  Checkbox,
  Group,
  PasswordInput,
  Select,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useState } from 'react';

import { VENUES, type Venue } from '@/features/exchange-accounts/api/exchange-account';
import { useCreateExchangeAccount } from '@/features/exchange-accounts/api/manageExchangeAccount';
import { formError, NO_FORM_ERROR } from '@/lib/form-errors';

const VENUE_OPTIONS: { value: Venue; label: string }[] = [
  { value: 'sandbox', label: 'Sandbox (the platform’s test exchange)' },
  { value: 'testnet', label: 'Binance futures testnet' },
  { value: 'live', label: 'Binance futures (live, real money)' },
];
const FIELDS = ['label', 'venue', 'api_key', 'api_secret', 'confirm_live'] as const;

/**
 * Adds an account. The secret is write-only: typed here, sent once, cleared from the form after
 * every submission and never shown again (the server keeps it encrypted and answers with the
 * key's last 4 characters and a fingerprint). A live account needs the user's confirmation.
 */
export function AddExchangeAccountForm() {
  const create = useCreateExchangeAccount();
  const [label, setLabel] = useState('');
  const [venue, setVenue] = useState<Venue>('testnet');
  const [apiKey, setApiKey] = useState('');
  const [apiSecret, setApiSecret] = useState('');
  const [confirmLive, setConfirmLive] = useState(false);
  const [added, setAdded] = useState<string | null>(null);

  const error = create.error ? formError(create.error, FIELDS) : NO_FORM_ERROR;
  const live = venue === 'live';

  return (
    <Card component="section" aria-labelledby="add-account-title" withBorder radius="md" p="lg">
      <Title order={3} size="h4" id="add-account-title" mb="md">
        Add an exchange account
      </Title>
      <form
        noValidate
        autoComplete="off"
        onSubmit={(event) => {
          event.preventDefault();
          setAdded(null);
          create.mutate(
            {
              label,
              venue,
              api_key: apiKey,
              api_secret: apiSecret,
              confirm_live: live && confirmLive,
            },
            {
              onSuccess: (account) => {
                setAdded(account.label);
                setLabel('');
                setApiKey('');
                setConfirmLive(false);
              },
            },
          );
          // Write-only: gone from the page as soon as it is sent, whatever the answer.
          setApiSecret('');
        }}
      >
        <Stack gap="md">
          {added && (
            <Text c="green" role="status">
              Added “{added}”.
            </Text>
          )}
          {error.message && (
            <Alert color="red" role="alert">
              {error.message}
            </Alert>
          )}
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
            <TextInput
              label="Label"
              required
              maxLength={80}
              value={label}
              error={error.fields.label}
              onChange={(event) => {
                setLabel(event.currentTarget.value);
              }}
            />
            <Select
              label="Venue"
              required
              data={VENUE_OPTIONS}
              value={venue}
              allowDeselect={false}
              error={error.fields.venue}
              onChange={(value) => {
                const chosen = VENUES.find((v) => v === value);
                if (chosen) setVenue(chosen);
                setConfirmLive(false);
              }}
            />
            <TextInput
              label="API key"
              required
              autoComplete="off"
              spellCheck={false}
              value={apiKey}
              error={error.fields.api_key}
              onChange={(event) => {
                setApiKey(event.currentTarget.value);
              }}
            />
            <PasswordInput
              label="API secret"
              description="Write-only: stored encrypted, never shown again."
              required
              autoComplete="new-password"
              value={apiSecret}
              error={error.fields.api_secret}
              onChange={(event) => {
                setApiSecret(event.currentTarget.value);
              }}
            />
          </SimpleGrid>
          {live && (
            <Alert color="red" title="Live trading">
              <Stack gap="xs">
                <Text size="sm">
                  Orders on a live account spend real money. Use a key that cannot withdraw (it is
                  refused otherwise) and restrict it to this server’s IP address.
                </Text>
                <Checkbox
                  label="I understand this trades real money"
                  checked={confirmLive}
                  error={error.fields.confirm_live}
                  onChange={(event) => {
                    setConfirmLive(event.currentTarget.checked);
                  }}
                />
              </Stack>
            </Alert>
          )}
          <Group>
            <Button type="submit" loading={create.isPending} disabled={live && !confirmLive}>
              Add account
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}
