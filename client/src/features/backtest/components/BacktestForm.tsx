import {
  Alert,
  Button,
  Card,
  Group,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  TagsInput,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useState } from 'react';

import { useStartBacktest } from '@/features/backtest/api/mutations';
import {
  useStrategyOptions,
  useTimeframes,
  useVersionNumbers,
} from '@/features/backtest/api/strategy-options';
import {
  DEFAULT_VALUES,
  type FormValues,
  backtestFormError,
  missingOf,
  requestOf,
} from '@/features/backtest/utils/form';

/** The server's limit per backtest (backend/backtest/parameters.py MAX_SYMBOLS). */
const SYMBOLS_MAX = 20;

/**
 * Start a backtest over the stored history: the scanner with its settings, or a saved strategy
 * version; symbols, timeframe, the window (UTC), fees, slippage, funding, leverage and the
 * starting balance. The server validates and names each bad field.
 */
export function BacktestForm({ onStarted }: { onStarted: (id: number) => void }) {
  const [values, setValues] = useState<FormValues>(DEFAULT_VALUES);
  const strategies = useStrategyOptions();
  const versions = useVersionNumbers(values.kind === 'strategy' ? values.strategyId : null);
  const timeframes = useTimeframes();
  const start = useStartBacktest();
  const set = <K extends keyof FormValues>(key: K, value: FormValues[K]) => {
    setValues((old) => ({ ...old, [key]: value }));
  };
  const missing = missingOf(values);
  const refused = start.isError ? backtestFormError(start.error) : null;
  const field = (key: keyof FormValues) => refused?.fields[key];
  const text = (key: keyof FormValues, label: string, description?: string) => (
    <TextInput
      label={label}
      description={description}
      value={String(values[key] ?? '')}
      onChange={(e) => {
        set(key, e.currentTarget.value as never);
      }}
      error={field(key)}
    />
  );

  return (
    <Card
      withBorder
      component="form"
      aria-label="New backtest"
      onSubmit={(e) => {
        e.preventDefault();
        if (missing !== null) return;
        start.mutate(requestOf(values), {
          onSuccess: (run) => {
            onStarted(run.id);
          },
        });
      }}
    >
      <Title order={4} mb="xs">
        New backtest
      </Title>
      <Stack gap="xs">
        <SegmentedControl
          aria-label="What to test"
          value={values.kind}
          onChange={(v) => {
            set('kind', v === 'strategy' ? 'strategy' : 'scanner');
          }}
          data={[
            { value: 'scanner', label: 'Scanner signals' },
            { value: 'strategy', label: 'Strategy version' },
          ]}
        />
        {values.kind === 'strategy' && (
          <Group grow>
            <Select
              label="Strategy"
              data={(strategies.data ?? [])
                .filter((s) => s.latestVersion !== null)
                .map((s) => ({ value: String(s.id), label: s.name }))}
              value={values.strategyId === null ? null : String(values.strategyId)}
              onChange={(v) => {
                setValues((old) => ({
                  ...old,
                  strategyId: v === null ? null : Number(v),
                  version: null,
                }));
              }}
              placeholder={strategies.isPending ? 'Loading…' : 'Choose'}
            />
            <Select
              label="Version"
              data={(versions.data ?? []).map((n) => ({ value: String(n), label: `v${n}` }))}
              value={values.version === null ? null : String(values.version)}
              onChange={(v) => {
                set('version', v === null ? null : Number(v));
              }}
              error={field('version')}
              disabled={values.strategyId === null}
            />
          </Group>
        )}
        <TagsInput
          label="Symbols"
          description={`Up to ${SYMBOLS_MAX}, with stored history (import_klines / fetch_history)`}
          value={values.symbols}
          onChange={(v) => {
            set('symbols', v.map((s) => s.trim().toUpperCase()).filter(Boolean));
          }}
          maxTags={SYMBOLS_MAX}
          placeholder={values.symbols.length === 0 ? 'BTCUSDT, then Enter' : undefined}
          error={field('symbols')}
        />
        <SimpleGrid cols={3} spacing="xs">
          <Select
            label="Timeframe"
            data={timeframes.data ?? [values.timeframe]}
            value={values.timeframe}
            onChange={(v) => {
              if (v !== null) set('timeframe', v);
            }}
            allowDeselect={false}
            error={field('timeframe')}
          />
          {text('start', 'Start (UTC)', 'YYYY-MM-DD[THH:MM]')}
          {text('end', 'End (UTC)', 'excluded')}
        </SimpleGrid>
        <SimpleGrid cols={3} spacing="xs">
          {text('makerFee', 'Maker fee', 'fraction: 0.0002 = 0.02 %')}
          {text('takerFee', 'Taker fee')}
          {text('slippageBps', 'Slippage (bps)')}
          {text('fundingRate8h', 'Funding per 8 h')}
          {text('leverage', 'Leverage')}
          {text('startingBalance', 'Starting balance (USDT)')}
        </SimpleGrid>
        {refused?.message && (
          <Alert color="red" title="The backtest was refused">
            {refused.message}
          </Alert>
        )}
        <Group justify="space-between">
          <Text size="xs" c="dimmed">
            {missing ?? ' '}
          </Text>
          <Button type="submit" loading={start.isPending} disabled={missing !== null}>
            Start backtest
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}
