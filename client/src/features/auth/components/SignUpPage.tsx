import { Anchor, Button, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { Link, Navigate, useSearchParams } from 'react-router';

import { useSignUp } from '@/features/auth/api/sign-in';
import { AuthCard, FormAlert, PASSWORD_RULES } from '@/features/auth/components/AuthCard';
import { EmailField, PasswordField } from '@/features/auth/components/AuthFields';
import { ProviderButtons } from '@/features/auth/components/ProviderButtons';
import { paths, safeNextPath, withNext } from '@/config/paths';
import { formError, NO_FORM_ERROR } from '@/lib/form-errors';
import { useSession } from '@/lib/session';

const FIELDS = ['email', 'password'] as const;

/** `/sign-up`: email and password; the new account comes with a paper trading account. */
export function SignUpPage() {
  const { signedIn } = useSession();
  const [params] = useSearchParams();
  const next = safeNextPath(params.get('next'));
  const signUp = useSignUp();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');

  if (signedIn) return <Navigate to={next} replace />;

  const error = signUp.error ? formError(signUp.error, FIELDS) : NO_FORM_ERROR;
  return (
    <AuthCard title="Create an account">
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          signUp.mutate({ email, password });
        }}
      >
        <Stack gap="md">
          <Text size="sm" c="dimmed">
            Every account starts with a paper trading account on the sandbox exchange.
          </Text>
          <FormAlert message={error.message} />
          <EmailField
            autoComplete="email"
            value={email}
            error={error.fields.email}
            onChange={setEmail}
          />
          <PasswordField
            description={PASSWORD_RULES}
            autoComplete="new-password"
            value={password}
            error={error.fields.password}
            onChange={setPassword}
          />
          <Button type="submit" loading={signUp.isPending} fullWidth>
            Create account
          </Button>
        </Stack>
      </form>
      <ProviderButtons next={next} />
      <Text size="sm" ta="center" mt="lg">
        Already have an account?{' '}
        <Anchor component={Link} to={withNext(paths.signIn, next)}>
          Sign in
        </Anchor>
      </Text>
    </AuthCard>
  );
}
