import { Button, Card, Group, Loader, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';

import { useMe } from '@/features/auth/api/me';
import { useChangePassword } from '@/features/auth/api/password';
import { FormAlert, PASSWORD_RULES } from '@/features/auth/components/AuthCard';
import { PasswordField } from '@/features/auth/components/AuthFields';
import { describeApiError } from '@/lib/api';
import { formatDateTime } from '@/lib/format';
import { formError, NO_FORM_ERROR } from '@/lib/form-errors';

function Profile() {
  const me = useMe();
  if (me.isPending) return <Loader size="sm" aria-label="Loading" />;
  if (!me.data) return <FormAlert message={describeApiError(me.error)} />;
  return (
    <Stack gap={4}>
      <Text fw={500}>{me.data.email}</Text>
      <Text size="sm" c="dimmed">
        Member since {formatDateTime(me.data.dateJoined)}
      </Text>
    </Stack>
  );
}

function ChangePasswordForm() {
  const change = useChangePassword();
  const [oldPassword, setOldPassword] = useState('');
  const [newPassword, setNewPassword] = useState('');
  const error = change.error
    ? formError(change.error, ['old_password', 'new_password'])
    : NO_FORM_ERROR;

  return (
    <form
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        change.mutate(
          { old_password: oldPassword, new_password: newPassword },
          {
            onSuccess: () => {
              setOldPassword('');
              setNewPassword('');
            },
          },
        );
      }}
    >
      <Stack gap="md" maw={420}>
        <FormAlert message={error.message} />
        {change.isSuccess && (
          <Text c="green" role="status">
            Password changed. Your other sessions were signed out.
          </Text>
        )}
        <PasswordField
          label="Current password"
          autoComplete="current-password"
          value={oldPassword}
          error={error.fields.old_password}
          onChange={setOldPassword}
        />
        <PasswordField
          label="New password"
          description={PASSWORD_RULES}
          autoComplete="new-password"
          value={newPassword}
          error={error.fields.new_password}
          onChange={setNewPassword}
        />
        <Group>
          <Button type="submit" loading={change.isPending}>
            Change password
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** `/account`: who is signed in, and the password change. */
export function AccountSettings() {
  return (
    <Stack gap="lg">
      <Card withBorder radius="md" padding="lg">
        <Title order={3} size="h4" mb="sm">
          Profile
        </Title>
        <Profile />
      </Card>
      <Card withBorder radius="md" padding="lg">
        <Title order={3} size="h4" mb="sm">
          Change password
        </Title>
        <ChangePasswordForm />
      </Card>
    </Stack>
  );
}
