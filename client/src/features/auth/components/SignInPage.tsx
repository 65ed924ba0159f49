import { Alert, Anchor, Button, Group, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { Link, Navigate, useSearchParams } from 'react-router';

import { useSignIn } from '@/features/auth/api/sign-in';
import { AuthCard, FormAlert } from '@/features/auth/components/AuthCard';
import { EmailField, PasswordField } from '@/features/auth/components/AuthFields';
import { ProviderButtons } from '@/features/auth/components/ProviderButtons';
import { paths, safeNextPath, withNext } from '@/config/paths';
import { formError, NO_FORM_ERROR } from '@/lib/form-errors';
import { useSession } from '@/lib/session';

const FIELDS = ['email', 'password'] as const;

/** `/sign-in?next=/path&error=...`: email and password, or a provider; then on to `next`. */
export function SignInPage() {
  const { signedIn } = useSession();
  const [params] = useSearchParams();
  const next = safeNextPath(params.get('next'));
  const providerError = params.get('error');
  const signIn = useSignIn();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');

  // Signed in (just now, or already): the page asked for is next.
  if (signedIn) return <Navigate to={next} replace />;

  const error = signIn.error ? formError(signIn.error, FIELDS) : NO_FORM_ERROR;
  return (
    <AuthCard title="Sign in">
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          signIn.mutate({ email, password });
        }}
      >
        <Stack gap="md">
          {providerError && (
            <Alert color="red" role="alert" title="Sign-in with the provider failed">
              {providerError}
            </Alert>
          )}
          <FormAlert message={error.message} />
          <EmailField
            autoComplete="username"
            value={email}
            error={error.fields.email}
            onChange={setEmail}
          />
          <PasswordField
            autoComplete="current-password"
            value={password}
            error={error.fields.password}
            onChange={setPassword}
          />
          <Group justify="flex-end">
            <Anchor component={Link} to={paths.forgotPassword} size="sm">
              Forgot your password?
            </Anchor>
          </Group>
          <Button type="submit" loading={signIn.isPending} fullWidth>
            Sign in
          </Button>
        </Stack>
      </form>
      <ProviderButtons next={next} />
      <Text size="sm" ta="center" mt="lg">
        New here?{' '}
        <Anchor component={Link} to={withNext(paths.signUp, next)}>
          Create an account
        </Anchor>
      </Text>
    </AuthCard>
  );
}
