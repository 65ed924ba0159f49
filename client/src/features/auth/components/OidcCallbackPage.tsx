import { Anchor, Group, Loader, Stack, Text } from '@mantine/core';
import { useEffect, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';

import { exchangeSignInCode } from '@/features/auth/api/sign-in';
import { AuthCard, FormAlert } from '@/features/auth/components/AuthCard';
import { paths, safeNextPath, withNext } from '@/config/paths';
import { formError } from '@/lib/form-errors';

/**
 * `/auth/callback?code=&next=`: where the provider's sign-in ends. Trades the one-time code for
 * the token pair and replaces this URL (the code must not stay in the history) with `next`.
 */
export function OidcCallbackPage() {
  const [params] = useSearchParams();
  const code = params.get('code');
  const next = safeNextPath(params.get('next'));
  const navigate = useNavigate();
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!code) return;
    let active = true;
    exchangeSignInCode(code).then(
      () => {
        if (active) void navigate(next, { replace: true });
      },
      (failure: unknown) => {
        if (active) setError(formError(failure, []).message);
      },
    );
    return () => {
      active = false;
    };
  }, [code, next, navigate]);

  const message = code ? error : 'This sign-in link has no code. Start the sign-in again.';
  return (
    <AuthCard title="Signing in">
      {message === null ? (
        <Group gap="sm">
          <Loader size="sm" aria-hidden />
          <Text c="dimmed">Finishing the sign-in…</Text>
        </Group>
      ) : (
        <Stack gap="md">
          <FormAlert message={message} title="Sign-in failed" />
          <Anchor component={Link} to={withNext(paths.signIn, next)}>
            Back to sign-in
          </Anchor>
        </Stack>
      )}
    </AuthCard>
  );
}
