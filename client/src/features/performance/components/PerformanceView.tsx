import {
  Alert,
  Card,
  Group,
  Input,
  LoadingOverlay,
  SegmentedControl,
  SimpleGrid,
  Skeleton,
  Stack,
  Text,
} from '@mantine/core';

import { usePerformance, type OutcomeStats } from '@/features/performance/api/getPerformance';
import { BreakdownTable } from '@/features/performance/components/BreakdownTable';
import { CalibrationChart } from '@/features/performance/components/CalibrationChart';
import { EquityCurveChart } from '@/features/performance/components/EquityCurveChart';
import { LatestClosedTable } from '@/features/performance/components/LatestClosedTable';
import { WalkForwardCard } from '@/features/performance/components/WalkForwardCard';
import {
  DAY_CHOICES,
  TIMEFRAME_CHOICES,
  usePerformanceParams,
} from '@/features/performance/hooks/usePerformanceParams';
import { describeApiError } from '@/lib/api';
import {
  formatExcursions,
  formatMaybeR,
  formatProfitFactor,
  formatRate,
} from '@/features/performance/utils/format-stats';

/** Label above the control (a segmented control is inline and would sit beside it). */
const COLUMN = { display: 'flex', flexDirection: 'column' } as const;

function Figure(props: { label: string; value: string; testId: string; hint: string }) {
  const { label, value, testId, hint } = props;
  return (
    <Card withBorder padding="md" radius="md" data-testid={testId}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text fz={26} fw={700} style={{ fontVariantNumeric: 'tabular-nums' }} data-value>
        {value}
      </Text>
      <Text size="xs" c="dimmed">
        {hint}
      </Text>
    </Card>
  );
}

/** "70-75" buckets in numeric order, other keys after them. */
function byBucket([a]: [string, OutcomeStats], [b]: [string, OutcomeStats]): number {
  return (parseFloat(a) || Infinity) - (parseFloat(b) || Infinity) || a.localeCompare(b);
}

const TIMEFRAME_ORDER: string[] = [...TIMEFRAME_CHOICES];
function byTimeframe([a]: [string, OutcomeStats], [b]: [string, OutcomeStats]): number {
  return TIMEFRAME_ORDER.indexOf(a) - TIMEFRAME_ORDER.indexOf(b);
}

/** How closed signals turned out, filtered by timeframe and period. */
export function PerformanceView() {
  const [params, setParams] = usePerformanceParams();
  const { data, error, isPending, isFetching, isPlaceholderData } = usePerformance(params);

  const filters = (
    <Group gap="md" align="flex-end">
      <Input.Wrapper label="Timeframe" style={COLUMN}>
        <SegmentedControl
          value={params.timeframe ?? 'all'}
          data={[
            { value: 'all', label: 'All' },
            ...TIMEFRAME_CHOICES.map((tf) => ({ value: tf, label: tf })),
          ]}
          onChange={(value) => {
            setParams({ timeframe: value === 'all' ? null : value });
          }}
        />
      </Input.Wrapper>
      <Input.Wrapper label="Period" style={COLUMN}>
        <SegmentedControl
          value={String(params.days)}
          data={DAY_CHOICES.map((days) => ({
            value: String(days),
            label: days === 1 ? '24 h' : `${days} d`,
          }))}
          onChange={(value) => {
            setParams({ days: Number(value) });
          }}
        />
      </Input.Wrapper>
    </Group>
  );

  if (isPending) {
    return (
      <Stack gap="md">
        {filters}
        <SimpleGrid cols={{ base: 2, md: 4 }}>
          {[0, 1, 2, 3].map((i) => (
            <Skeleton key={i} height={86} radius="md" />
          ))}
        </SimpleGrid>
        <Skeleton height={300} radius="md" />
      </Stack>
    );
  }
  if (!data) {
    return (
      <Stack gap="md">
        {filters}
        <Alert color="red" title="Performance unavailable">
          {describeApiError(error)}
        </Alert>
      </Stack>
    );
  }

  const { overall } = data;
  return (
    <Stack gap="md" pos="relative">
      <LoadingOverlay
        visible={isFetching && isPlaceholderData}
        zIndex={5}
        overlayProps={{ blur: 1 }}
      />
      {filters}
      {error && (
        <Alert color="yellow" title="Refresh failed">
          {describeApiError(error)}
        </Alert>
      )}
      {overall.count === 0 && (
        <Alert
          color="gray"
          title="No closed signals in this period"
          data-testid="performance-empty"
        >
          Outcomes appear here once signals reach their take-profit or stop-loss, expire or are
          invalidated.
        </Alert>
      )}
      <Text size="xs" c="dimmed">
        R is in multiples of the risk shown at creation (entry to stop-loss) and net of fees (taker
        fee on entry and exit); signals closed as stale, with no outcome, are left out.
      </Text>
      <SimpleGrid cols={{ base: 2, md: 3, xl: 6 }}>
        <Figure
          label="Closed signals"
          value={String(overall.count)}
          testId="perf-count"
          hint="with an outcome"
        />
        <Figure
          label="Take-profit rate"
          value={formatRate(overall.tpRate)}
          testId="perf-tp-rate"
          hint="take-profit reached before stop-loss"
        />
        <Figure
          label="Closed in profit"
          value={formatRate(overall.profitRate)}
          testId="perf-profit-rate"
          hint="net R > 0, also expired or invalidated in profit"
        />
        <Figure
          label="Average R (net)"
          value={formatMaybeR(overall.averageR)}
          testId="perf-average-r"
          hint={`creation bracket; gross ${formatMaybeR(overall.averageRGross)}, trailed ${formatMaybeR(overall.averageRTrailed)}`}
        />
        <Figure
          label="Profit factor (net)"
          value={formatProfitFactor(overall)}
          testId="perf-profit-factor"
          hint="net gains / net losses"
        />
        <Figure
          label="MFE / MAE"
          value={formatExcursions(overall)}
          testId="perf-excursions"
          hint="mean best / worst move, in R"
        />
      </SimpleGrid>
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        <CalibrationChart points={data.calibration} />
        <EquityCurveChart points={data.equityCurve} />
      </SimpleGrid>
      <SimpleGrid cols={{ base: 1, xl: 3 }}>
        <BreakdownTable
          title="By direction"
          testId="perf-by-direction"
          rows={Object.entries(data.byDirection)}
        />
        <BreakdownTable
          title="By timeframe"
          testId="perf-by-timeframe"
          rows={Object.entries(data.byTimeframe).sort(byTimeframe)}
        />
        <BreakdownTable
          title="By score at creation"
          testId="perf-by-score"
          rows={Object.entries(data.byScore).sort(byBucket)}
        />
      </SimpleGrid>
      <LatestClosedTable signals={data.latest} />
      <WalkForwardCard />
    </Stack>
  );
}
