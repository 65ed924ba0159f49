import { Button, Divider, Stack } from '@mantine/core';
import { IconKey } from '@tabler/icons-react';

import { providerLoginHref, useProviders } from '@/features/auth/api/providers';

/**
 * "Sign in with <provider>" for each OpenID Connect provider the server offers; nothing when it
 * offers none (or the list cannot be read: the password form still works).
 */
export function ProviderButtons({ next }: { next: string }) {
  const { data: providers } = useProviders();
  if (!providers || providers.length === 0) return null;
  return (
    <Stack gap="sm" mt="lg">
      <Divider label="or" labelPosition="center" />
      {providers.map((provider) => (
        <Button
          key={provider.id}
          component="a"
          href={providerLoginHref(provider.loginUrl, next)}
          variant="default"
          leftSection={<IconKey size={16} />}
          fullWidth
        >
          Sign in with {provider.name}
        </Button>
      ))}
    </Stack>
  );
}
