import { Grid, Stack, Title } from '@mantine/core';
import { useState } from 'react';

import { useBacktest } from '@/features/backtest/api/queries';
import { BacktestCompare } from '@/features/backtest/components/BacktestCompare';
import { BacktestForm } from '@/features/backtest/components/BacktestForm';
import { BacktestResult } from '@/features/backtest/components/BacktestResult';
import { BacktestRuns } from '@/features/backtest/components/BacktestRuns';

/**
 * The backtest page: start a backtest, follow the runs (progress comes over the private channel),
 * open one's result, compare several.
 */
export function BacktestsView() {
  const [selected, setSelected] = useState<number | null>(null);
  const [compared, setCompared] = useState<number[]>([]);
  const detail = useBacktest(selected);
  return (
    <Stack gap="md">
      <Title order={2}>Backtests</Title>
      <Grid>
        <Grid.Col span={{ base: 12, md: 5 }}>
          <BacktestForm onStarted={setSelected} />
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 7 }}>
          <BacktestRuns
            selected={selected}
            onSelect={setSelected}
            compared={compared}
            onCompare={setCompared}
          />
        </Grid.Col>
      </Grid>
      {compared.length >= 2 && <BacktestCompare ids={compared} />}
      {detail.data && <BacktestResult run={detail.data} />}
    </Stack>
  );
}
