import { Alert, Center, Paper, Title } from '@mantine/core';
import type { ReactNode } from 'react';

/** The frame of the sign-in, sign-up and password pages: a narrow card with a title. */
export function AuthCard({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Center py={{ base: 'md', sm: 'xl' }}>
      <Paper withBorder radius="md" p={{ base: 'md', sm: 'xl' }} w="100%" maw={440}>
        <Title order={2} mb="lg">
          {title}
        </Title>
        {children}
      </Paper>
    </Center>
  );
}

/** An error for the whole form, announced to screen readers. */
export function FormAlert({ message, title }: { message: string | null; title?: string }) {
  if (message === null) return null;
  return (
    <Alert color="red" role="alert" title={title}>
      {message}
    </Alert>
  );
}

export const PASSWORD_RULES =
  'At least 8 characters, not only digits, not a common password and not too close to your email.';
