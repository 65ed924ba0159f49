import { Grid, Stack } from '@mantine/core';

import { useRuns } from '@/features/strategies/api/run-queries';
import { RunChart } from '@/features/strategies/components/RunChart';
import { RunLogPanel } from '@/features/strategies/components/RunLogPanel';
import { RunPositions } from '@/features/strategies/components/RunPositions';
import { RunsPanel } from '@/features/strategies/components/RunsPanel';

/**
 * Under the editor: the strategy's runs, and for the selected one (by default the newest) its
 * positions and live log beside its decisions and fills on the chart.
 */
export function StrategyRuns({
  strategyId,
  selected,
  onSelect,
}: {
  strategyId: number;
  selected: number | null;
  onSelect: (runId: number) => void;
}) {
  const runs = useRuns();
  const mine = (runs.data ?? []).filter((r) => r.strategy === strategyId);
  const run = mine.find((r) => r.id === selected) ?? mine[0] ?? null;
  return (
    <Stack>
      <RunsPanel strategyId={strategyId} selected={run?.id ?? null} onSelect={onSelect} />
      {run && (
        <Grid>
          <Grid.Col span={{ base: 12, xl: 5 }}>
            <Stack>
              <RunPositions run={run} />
              <RunLogPanel runId={run.id} />
            </Stack>
          </Grid.Col>
          <Grid.Col span={{ base: 12, xl: 7 }}>
            <RunChart key={run.id} run={run} />
          </Grid.Col>
        </Grid>
      )}
    </Stack>
  );
}
