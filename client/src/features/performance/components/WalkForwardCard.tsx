import { Badge, Card, Skeleton, Stack, Table, Text, Title } from '@mantine/core';

import {
  useWalkForward,
  type ChoiceRow,
  type WalkForward,
  type WalkForwardStats,
} from '@/features/performance/api/getCalibrationReport';
import {
  formatMaybeR,
  formatProfitFactor,
  formatRate,
  rColor,
} from '@/features/performance/utils/format-stats';
import { describeApiError } from '@/lib/api';
import { formatNumber, formatRatio } from '@/lib/format';

function StatsCells({ stats }: { stats: WalkForwardStats }) {
  return (
    <>
      <Table.Td ta="right">{stats.count}</Table.Td>
      <Table.Td ta="right">{formatRate(stats.tpRate)}</Table.Td>
      <Table.Td ta="right">{formatRate(stats.profitRate)}</Table.Td>
      <Table.Td ta="right" c={rColor(stats.averageR)}>
        {formatMaybeR(stats.averageR)}
      </Table.Td>
      <Table.Td ta="right">{formatMaybeR(stats.averageRGross)}</Table.Td>
      <Table.Td ta="right">{formatProfitFactor(stats)}</Table.Td>
    </>
  );
}

const STATS_HEAD = ['Signals', 'Take-profit', 'In profit', 'Avg R net', 'Avg R gross', 'PF'];

function Outcomes({ walk }: { walk: WalkForward }) {
  return (
    <Table
      striped
      data-testid="walk-forward-outcomes"
      style={{ fontVariantNumeric: 'tabular-nums' }}
    >
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Default rules</Table.Th>
          {STATS_HEAD.map((h) => (
            <Table.Th key={h} ta="right">
              {h}
            </Table.Th>
          ))}
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {walk.periods.flatMap((row) => [
          <Table.Tr key={`${row.timeframe}-in`}>
            <Table.Th scope="row">
              {row.timeframe === 'all' ? 'All timeframes' : row.timeframe}, days 1–7 (in sample)
            </Table.Th>
            <StatsCells stats={row.inSample} />
          </Table.Tr>,
          <Table.Tr key={`${row.timeframe}-out`}>
            <Table.Th scope="row">
              {row.timeframe === 'all' ? 'All timeframes' : row.timeframe}, days 8–14 (out of
              sample)
            </Table.Th>
            <StatsCells stats={row.outOfSample} />
          </Table.Tr>,
        ])}
      </Table.Tbody>
    </Table>
  );
}

function Choices({ title, rows, testId }: { title: string; rows: ChoiceRow[]; testId: string }) {
  return (
    <Table striped data-testid={testId} style={{ fontVariantNumeric: 'tabular-nums' }}>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>{title}</Table.Th>
          <Table.Th ta="right">Days 1–7: signals</Table.Th>
          <Table.Th ta="right">Avg R net</Table.Th>
          <Table.Th ta="right">Days 8–14: signals</Table.Th>
          <Table.Th ta="right">Take-profit</Table.Th>
          <Table.Th ta="right">Avg R net</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {rows.map((row) => (
          <Table.Tr key={row.label}>
            <Table.Th scope="row">
              {row.label}
              {row.chosen && (
                <Badge size="xs" ml={6} variant="light">
                  chosen on days 1–7
                </Badge>
              )}
            </Table.Th>
            <Table.Td ta="right">{row.inSample.count}</Table.Td>
            <Table.Td ta="right">{formatMaybeR(row.inSample.averageR)}</Table.Td>
            <Table.Td ta="right">{row.outOfSample.count}</Table.Td>
            <Table.Td ta="right">{formatRate(row.outOfSample.tpRate)}</Table.Td>
            <Table.Td ta="right" c={rColor(row.outOfSample.averageR)}>
              {formatMaybeR(row.outOfSample.averageR)}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function Gaps({ walk }: { walk: WalkForward }) {
  return (
    <Table
      striped
      data-testid="walk-forward-calibration"
      style={{ fontVariantNumeric: 'tabular-nums' }}
    >
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Score bucket</Table.Th>
          <Table.Th>Timeframe</Table.Th>
          <Table.Th>Direction</Table.Th>
          <Table.Th ta="right">Signals</Table.Th>
          <Table.Th ta="right">P(take-profit) shown</Table.Th>
          <Table.Th ta="right">Take-profit realised</Table.Th>
          <Table.Th ta="right">Gap (points)</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {walk.gaps.map((row) => (
          <Table.Tr key={`${row.bucket}-${row.timeframe}-${row.direction}`}>
            <Table.Th scope="row">{row.bucket}</Table.Th>
            <Table.Td>{row.timeframe}</Table.Td>
            <Table.Td>{row.direction}</Table.Td>
            <Table.Td ta="right">{row.count}</Table.Td>
            <Table.Td ta="right">{formatRatio(row.shown)}</Table.Td>
            <Table.Td ta="right">{formatRatio(row.realised)}</Table.Td>
            <Table.Td ta="right">
              {row.gap > 0 ? '+' : ''}
              {formatNumber(row.gap, 1)}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/** The out-of-sample walk-forward over the shipped recorded data, as the server ships it. */
export function WalkForwardCard() {
  const { data, error, isPending } = useWalkForward();
  return (
    <Card withBorder padding="md" radius="md" data-testid="walk-forward">
      <Title order={3} size="h5">
        Out of sample: walk-forward over the recorded data
      </Title>
      {isPending ? (
        <Skeleton height={160} mt="sm" />
      ) : error ? (
        <Text size="sm" c="red">
          {describeApiError(error)}
        </Text>
      ) : !data ? (
        <Text size="sm" c="dimmed">
          This server ships no walk-forward.
        </Text>
      ) : (
        <Stack gap="sm">
          <Text size="xs" c="dimmed">
            These figures are out of sample: the weights and then the creation threshold were chosen
            and the P(take-profit) fitted on recorded days 1–7 only, then measured on days 8–14,
            which neither saw. R is net of fees, on the bracket shown at creation. {data.data}.
          </Text>
          <Table.ScrollContainer minWidth={640}>
            <Outcomes walk={data} />
          </Table.ScrollContainer>
          {data.weights && (
            <Table.ScrollContainer minWidth={640}>
              <Choices title="Weights (5m)" rows={data.weights} testId="walk-forward-weights" />
            </Table.ScrollContainer>
          )}
          <Table.ScrollContainer minWidth={640}>
            <Choices
              title="Creation threshold (5m)"
              rows={data.thresholds}
              testId="walk-forward-thresholds"
            />
          </Table.ScrollContainer>
          <Text size="xs" c="dimmed">
            Calibration, days 8–14: the mean P(take-profit) shown (fitted on days 1–7) against the
            take-profit rate realised, per score bucket of {data.bucketWidth}.
          </Text>
          <Table.ScrollContainer minWidth={640}>
            <Gaps walk={data} />
          </Table.ScrollContainer>
        </Stack>
      )}
    </Card>
  );
}
