import { Alert, Anchor, Button, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';

import { useConfirmPasswordReset, useRequestPasswordReset } from '@/features/auth/api/password';
import { AuthCard, FormAlert, PASSWORD_RULES } from '@/features/auth/components/AuthCard';
import { EmailField, PasswordField } from '@/features/auth/components/AuthFields';
import { paths } from '@/config/paths';
import { formError, NO_FORM_ERROR } from '@/lib/form-errors';

/** `/forgot-password`: mails a reset link. Says the same whether the email has an account or not. */
export function ForgotPasswordPage() {
  const request = useRequestPasswordReset();
  const [email, setEmail] = useState('');
  const error = request.error ? formError(request.error, ['email']) : NO_FORM_ERROR;

  if (request.isSuccess) {
    return (
      <AuthCard title="Check your email">
        <Stack gap="md">
          <Text>
            If an account exists for <strong>{request.variables}</strong>, a link to set a new
            password is on its way. It works once, within an hour.
          </Text>
          <Anchor component={Link} to={paths.signIn}>
            Back to sign-in
          </Anchor>
        </Stack>
      </AuthCard>
    );
  }
  return (
    <AuthCard title="Reset your password">
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          request.mutate(email);
        }}
      >
        <Stack gap="md">
          <Text size="sm" c="dimmed">
            Enter the email you signed up with and we will send you a link to set a new password.
          </Text>
          <FormAlert message={error.message} />
          <EmailField
            autoComplete="email"
            value={email}
            error={error.fields.email}
            onChange={setEmail}
          />
          <Button type="submit" loading={request.isPending} fullWidth>
            Send the link
          </Button>
          <Anchor component={Link} to={paths.signIn} size="sm" ta="center">
            Back to sign-in
          </Anchor>
        </Stack>
      </form>
    </AuthCard>
  );
}

/** `/reset-password?uid=&token=`: the page the reset email links to. */
export function ResetPasswordPage() {
  const [params] = useSearchParams();
  const uid = params.get('uid');
  const token = params.get('token');
  const confirm = useConfirmPasswordReset();
  const [password, setPassword] = useState('');
  const error = confirm.error ? formError(confirm.error, ['new_password']) : NO_FORM_ERROR;

  if (!uid || !token) {
    return (
      <AuthCard title="Set a new password">
        <Stack gap="md">
          <Alert color="red" role="alert">
            This link is incomplete. Open the link from the email as it is, or ask for a new one.
          </Alert>
          <Anchor component={Link} to={paths.forgotPassword}>
            Ask for a new link
          </Anchor>
        </Stack>
      </AuthCard>
    );
  }
  if (confirm.isSuccess) {
    return (
      <AuthCard title="Password changed">
        <Stack gap="md">
          <Text>Your new password is set, and every session of your account was signed out.</Text>
          <Button component={Link} to={paths.signIn}>
            Sign in
          </Button>
        </Stack>
      </AuthCard>
    );
  }
  return (
    <AuthCard title="Set a new password">
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          confirm.mutate({ uid, token, new_password: password });
        }}
      >
        <Stack gap="md">
          <FormAlert message={error.message} />
          {error.message && (
            <Anchor component={Link} to={paths.forgotPassword} size="sm">
              Ask for a new link
            </Anchor>
          )}
          <PasswordField
            label="New password"
            description={PASSWORD_RULES}
            autoComplete="new-password"
            value={password}
            error={error.fields.new_password}
            onChange={setPassword}
          />
          <Button type="submit" loading={confirm.isPending} fullWidth>
            Set the password
          </Button>
        </Stack>
      </form>
    </AuthCard>
  );
}
