import {
  Alert,
  Anchor,
  Badge,
  Card,
  Group,
  List,
  SimpleGrid,
  Skeleton,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import { IconArrowLeft } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { Link } from 'react-router';

import { useSignal } from '@/features/signals/api/getSignal';
import type { Signal } from '@/features/signals/api/signal';
import { DirectionBadge } from '@/features/signals/components/DirectionBadge';
import { ScoreBar } from '@/features/signals/components/ScoreBar';
import { SignalChanges } from '@/features/signals/components/SignalChanges';
import {
  conditionDescription,
  conditionLabel,
  STATUS_LABELS,
} from '@/features/signals/utils/conditions';
import {
  describeProbability,
  formatProbability,
  PROBABILITY_LABEL,
} from '@/features/signals/utils/probability';
import { paths } from '@/config/paths';
import { describeApiError, HttpError } from '@/lib/api';
import {
  formatDateTime,
  formatNumber,
  formatPercent,
  formatPrice,
  formatR,
  percentChange,
} from '@/lib/format';

function Figure({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text fw={600} style={{ fontVariantNumeric: 'tabular-nums' }} component="div">
        {children}
      </Text>
    </div>
  );
}

function Distance({ signal, price, color }: { signal: Signal; price: number; color: string }) {
  const distance = percentChange(signal.entry, price);
  return (
    <Text span size="sm" c={color} ml={6}>
      {formatPercent(distance, { signed: true })}
    </Text>
  );
}

/** The level shown at creation, when trailing has moved it since. */
function AtCreation({ signal, price }: { signal: Signal; price: number | null }) {
  if (price === null) return null;
  return (
    <Text size="xs" c="dimmed" fw={400}>
      shown at creation {formatPrice(price, signal.tickSize)}
    </Text>
  );
}

function Levels({ signal }: { signal: Signal }) {
  const movedSl = signal.initialStopLoss !== signal.stopLoss ? signal.initialStopLoss : null;
  const movedTp = signal.initialTakeProfit !== signal.takeProfit ? signal.initialTakeProfit : null;
  return (
    <SimpleGrid cols={{ base: 2, sm: 3, lg: 6 }} spacing="md">
      <Figure label="Entry">{formatPrice(signal.entry, signal.tickSize)}</Figure>
      <Figure label="Stop-loss">
        {formatPrice(signal.stopLoss, signal.tickSize)}
        <Distance signal={signal} price={signal.stopLoss} color="red" />
        <AtCreation signal={signal} price={movedSl} />
      </Figure>
      <Figure label="Take-profit">
        {formatPrice(signal.takeProfit, signal.tickSize)}
        <Distance signal={signal} price={signal.takeProfit} color="green" />
        <AtCreation signal={signal} price={movedTp} />
      </Figure>
      <Figure label="Reward / risk">{formatNumber(signal.rewardRisk)}</Figure>
      {signal.status === 'active' ? (
        <Figure label="Expires (exchange time)">{formatDateTime(signal.expiresMs)}</Figure>
      ) : (
        <Figure label="Outcome">
          {signal.outcomeR === null ? '—' : formatR(signal.outcomeR)}
          {signal.exitPrice !== null && (
            <Text span size="sm" c="dimmed" ml={6}>
              at {formatPrice(signal.exitPrice, signal.tickSize)}
            </Text>
          )}
          {signal.closeRule && (
            <Text size="xs" c="dimmed" fw={400}>
              {signal.closeRule}; R net of fees, on the bracket shown at creation
            </Text>
          )}
        </Figure>
      )}
    </SimpleGrid>
  );
}

interface SignalDetailViewProps {
  id: number;
  /** The chart slot: the page supplies a chart of the signal's market. */
  renderChart: (signal: Signal) => ReactNode;
}

/** Everything about one signal: levels, conditions, chart and history; live while open. */
export function SignalDetailView({ id, renderChart }: SignalDetailViewProps) {
  const { data: signal, error, isPending } = useSignal(id);

  const back = (
    <Anchor component={Link} to={paths.dashboard} size="sm">
      <Group gap={4}>
        <IconArrowLeft size={14} /> Dashboard
      </Group>
    </Anchor>
  );

  if (isPending) {
    return (
      <Stack gap="md" aria-busy="true">
        {back}
        <Skeleton height={36} width="40%" />
        <Skeleton height={90} />
        <Skeleton height={420} />
      </Stack>
    );
  }
  if (!signal) {
    const missing = error instanceof HttpError && error.status === 404;
    return (
      <Stack gap="md">
        {back}
        <Alert
          color={missing ? 'gray' : 'red'}
          title={missing ? 'Signal not found' : 'Signal unavailable'}
        >
          {missing
            ? 'It may have been cleaned up (signals are kept for 24 hours).'
            : describeApiError(error)}
        </Alert>
      </Stack>
    );
  }

  return (
    <Stack gap="md">
      {back}
      <Group justify="space-between" align="flex-start">
        <Group gap="sm">
          <DirectionBadge direction={signal.direction} size="lg" />
          <Title order={2}>{signal.symbol}</Title>
          <Badge variant="default" size="lg">
            {signal.timeframe}
          </Badge>
          <Badge variant="light" color={signal.status === 'active' ? 'blue' : 'gray'} size="lg">
            {STATUS_LABELS[signal.status] ?? signal.status}
          </Badge>
        </Group>
        <Text size="sm" c="dimmed" data-testid="signal-times">
          Created {formatDateTime(signal.createdMs)}
          {signal.closedMs !== null && <> · closed {formatDateTime(signal.closedMs)}</>} (exchange
          time, the chart&apos;s clock)
        </Text>
      </Group>

      <Card withBorder padding="md" radius="md">
        <Stack gap="md">
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
            <div>
              <Text size="xs" c="dimmed" tt="uppercase" fw={600} mb={4}>
                Score: conditions met, weighted (at creation {formatNumber(signal.initialScore, 0)})
              </Text>
              <ScoreBar score={signal.score} />
            </div>
            <div data-testid="signal-probability">
              <Text size="xs" c="dimmed" tt="uppercase" fw={600} mb={4}>
                {PROBABILITY_LABEL}: take-profit before stop-loss
              </Text>
              <Text fw={600} style={{ fontVariantNumeric: 'tabular-nums' }}>
                {formatProbability(signal.probability)}
              </Text>
              <Text size="xs" c="dimmed">
                {describeProbability(signal.probability, signal.probabilityNote)}
              </Text>
            </div>
          </SimpleGrid>
          <Levels signal={signal} />
        </Stack>
      </Card>

      {renderChart(signal)}

      <Card withBorder padding="md" radius="md">
        <Title order={3} size="h5" mb="xs">
          Conditions that held
        </Title>
        <List spacing={4} size="sm">
          {signal.conditions.map((name) => (
            <List.Item key={name}>
              <Text span fw={600}>
                {conditionLabel(name)}
              </Text>
              {conditionDescription(name, signal.direction) && (
                <Text span c="dimmed">
                  {' '}
                  — {conditionDescription(name, signal.direction)}
                </Text>
              )}
            </List.Item>
          ))}
        </List>
      </Card>

      <SignalChanges changes={signal.changes} tickSize={signal.tickSize} />
    </Stack>
  );
}
