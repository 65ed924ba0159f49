import {
  Alert,
  Button,
  Card,
  Group,
  SegmentedControl,
  SimpleGrid,
  Stack,
  TextInput,
  Title,
} from '@mantine/core';
import { useState } from 'react';

import { usePlaceOrder } from '@/features/trading/api/mutations';
import type { Venue } from '@/features/trading/api/trading';
import { VenueBadge } from '@/features/trading/components/VenueBadge';
import { API_FIELDS, type TicketForm, ticketToOrder } from '@/features/trading/utils/ticket';
import { refusalOf } from '@/features/trading/utils/errors';

const EMPTY: TicketForm = {
  symbol: 'BTCUSDT',
  direction: 'LONG',
  type: 'MARKET',
  sizeBy: 'quantity',
  size: '',
  price: '',
  leverage: '',
  stopLoss: '',
  takeProfit: '',
};

/** The manual order ticket: MARKET or LIMIT, LONG or SHORT, optional stop-loss and take-profit. */
export function OrderTicket({ accountId, venue }: { accountId: number; venue: Venue }) {
  const [form, setForm] = useState<TicketForm>(EMPTY);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string | null>(null);
  const place = usePlaceOrder();
  const set = (key: keyof TicketForm) => (value: string) => {
    setForm((old) => ({ ...old, [key]: value }));
  };

  const submit = () => {
    setMessage(null);
    const checked = ticketToOrder(accountId, form);
    if (checked.errors) {
      setErrors(checked.errors);
      return;
    }
    setErrors({});
    place.mutate(checked.order, {
      onSuccess: (order) => {
        setMessage(
          `Order ${order.side} ${order.quantity ?? ''} ${order.symbol} sent (${order.status}).`,
        );
        setForm((old) => ({ ...old, size: '', price: '', stopLoss: '', takeProfit: '' }));
      },
      onError: (error) => {
        const refused = refusalOf(error, Object.keys(API_FIELDS));
        const fields: Record<string, string> = {};
        for (const [apiName, text] of Object.entries(refused.fields)) {
          const name = API_FIELDS[apiName];
          if (name) fields[name] = text;
        }
        setErrors(fields);
        setMessage(refused.message);
      },
    });
  };

  return (
    <Card
      withBorder
      component="form"
      aria-label="Order ticket"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <Group justify="space-between" mb="sm">
        <Title order={4}>Order ticket</Title>
        <VenueBadge venue={venue} />
      </Group>
      <Stack gap="xs">
        <SegmentedControl
          aria-label="Direction"
          value={form.direction}
          onChange={set('direction')}
          data={[
            { value: 'LONG', label: 'Long' },
            { value: 'SHORT', label: 'Short' },
          ]}
          color={form.direction === 'LONG' ? 'teal' : 'red'}
        />
        <SegmentedControl
          aria-label="Order type"
          value={form.type}
          onChange={set('type')}
          data={['MARKET', 'LIMIT']}
        />
        <TextInput
          label="Symbol"
          value={form.symbol}
          onChange={(e) => {
            set('symbol')(e.currentTarget.value);
          }}
          error={errors.symbol}
        />
        <SegmentedControl
          aria-label="Size by"
          value={form.sizeBy}
          onChange={set('sizeBy')}
          data={[
            { value: 'quantity', label: 'Quantity' },
            { value: 'percent', label: '% of balance' },
          ]}
        />
        <TextInput
          label={form.sizeBy === 'percent' ? 'Percent of available balance' : 'Quantity'}
          value={form.size}
          onChange={(e) => {
            set('size')(e.currentTarget.value);
          }}
          error={errors.size}
        />
        {form.type === 'LIMIT' && (
          <TextInput
            label="Limit price"
            value={form.price}
            onChange={(e) => {
              set('price')(e.currentTarget.value);
            }}
            error={errors.price}
          />
        )}
        <TextInput
          label="Leverage (optional)"
          value={form.leverage}
          onChange={(e) => {
            set('leverage')(e.currentTarget.value);
          }}
          error={errors.leverage}
        />
        <SimpleGrid cols={2}>
          <TextInput
            label="Stop-loss price"
            value={form.stopLoss}
            onChange={(e) => {
              set('stopLoss')(e.currentTarget.value);
            }}
            error={errors.stopLoss}
          />
          <TextInput
            label="Take-profit price"
            value={form.takeProfit}
            onChange={(e) => {
              set('takeProfit')(e.currentTarget.value);
            }}
            error={errors.takeProfit}
          />
        </SimpleGrid>
        {message && (
          <Alert color={place.isError ? 'red' : 'teal'} role="status">
            {message}
          </Alert>
        )}
        <Button
          type="submit"
          loading={place.isPending}
          color={form.direction === 'LONG' ? 'teal' : 'red'}
        >
          {form.direction === 'LONG' ? 'Buy / Long' : 'Sell / Short'}
        </Button>
      </Stack>
    </Card>
  );
}
