import { Alert, Button, Card, Select, Stack, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';

import { useCreateStrategy } from '@/features/strategies/api/mutations';
import { useTemplates } from '@/features/strategies/api/queries';
import { refusalMessage } from '@/features/strategies/utils/compile-errors';

const BLANK = '';

/**
 * A new strategy: blank, or a copy of a template (created with the template as its version 1).
 * The name starts as the template's and can be changed before creating.
 */
export function NewStrategyForm({ onCreated }: { onCreated: (id: number) => void }) {
  const templates = useTemplates();
  const create = useCreateStrategy();
  const [templateKey, setTemplateKey] = useState(BLANK);
  const [name, setName] = useState('');
  const template = templates.data?.find((t) => t.key === templateKey) ?? null;

  return (
    <Card
      withBorder
      component="form"
      aria-label="New strategy"
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate(
          { name: name.trim(), ...(template ? { workspace: template.workspace } : {}) },
          {
            onSuccess: (created) => {
              setName('');
              onCreated(created.id);
            },
          },
        );
      }}
    >
      <Stack gap="xs">
        <Title order={4}>New strategy</Title>
        <Select
          label="Start from"
          value={templateKey}
          allowDeselect={false}
          data={[
            { value: BLANK, label: 'Blank workspace' },
            ...(templates.data ?? []).map((t) => ({ value: t.key, label: t.name })),
          ]}
          onChange={(value) => {
            const key = value ?? BLANK;
            setTemplateKey(key);
            const chosen = templates.data?.find((t) => t.key === key);
            if (chosen) setName(chosen.name);
          }}
        />
        {templates.isError && <Text c="red">{refusalMessage(templates.error)}</Text>}
        {template && (
          <Text size="sm" c="dimmed">
            {template.description}
          </Text>
        )}
        <TextInput
          label="Name"
          value={name}
          maxLength={100}
          required
          onChange={(e) => {
            setName(e.currentTarget.value);
          }}
        />
        {create.isError && (
          <Alert color="red" role="alert">
            {refusalMessage(create.error)}
          </Alert>
        )}
        <Button type="submit" loading={create.isPending} disabled={name.trim() === ''}>
          Create
        </Button>
      </Stack>
    </Card>
  );
}
