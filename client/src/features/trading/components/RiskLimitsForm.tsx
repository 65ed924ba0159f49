import { Alert, Button, Card, SimpleGrid, Stack, TextInput, Title } from '@mantine/core';
import { useState } from 'react';

import { useUpdateRiskLimits } from '@/features/trading/api/mutations';
import type { RiskLimits } from '@/features/trading/api/trading';
import {
  type RiskField,
  RISK_FIELDS,
  riskFormOf,
  riskLimitsCheck,
} from '@/features/trading/utils/risk';
import { refusalOf } from '@/features/trading/utils/errors';

/** The account's risk limits, checked by the API before any order leaves. */
export function RiskLimitsForm({ accountId, risk }: { accountId: number; risk: RiskLimits }) {
  const update = useUpdateRiskLimits(accountId);
  const [form, setForm] = useState(() => riskFormOf(risk));
  const [errors, setErrors] = useState<Partial<Record<RiskField, string>>>({});
  const [message, setMessage] = useState<string | null>(null);

  const submit = () => {
    const checked = riskLimitsCheck(form);
    if (checked.errors) {
      setErrors(checked.errors);
      return;
    }
    setErrors({});
    update.mutate(checked.limits, {
      onSuccess: (saved) => {
        setForm(riskFormOf(saved));
        setMessage('Risk limits saved.');
      },
      onError: (error) => {
        const refused = refusalOf(
          error,
          RISK_FIELDS.map((f) => f.name),
        );
        setErrors(refused.fields);
        setMessage(refused.message);
      },
    });
  };

  return (
    <Card
      withBorder
      component="form"
      aria-label="Risk limits"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <Stack gap="xs">
        <Title order={4}>Risk limits</Title>
        <SimpleGrid cols={2}>
          {RISK_FIELDS.map(({ name, label }) => (
            <TextInput
              key={name}
              size="xs"
              label={label}
              value={form[name]}
              error={errors[name]}
              onChange={(e) => {
                const value = e.currentTarget.value;
                setForm((old) => ({ ...old, [name]: value }));
              }}
            />
          ))}
        </SimpleGrid>
        {message && <Alert role="status">{message}</Alert>}
        <Button type="submit" size="xs" variant="default" loading={update.isPending}>
          Save limits
        </Button>
      </Stack>
    </Card>
  );
}
