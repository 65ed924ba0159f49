import { Progress, SimpleGrid, Text } from '@mantine/core';

import { useSignalStats, type SignalStats } from '@/features/signals/api/getSignalStats';
import { TIMEFRAMES } from '@/features/signals/api/signal';
import { ScannerStatusCard } from '@/features/signals/components/ScannerStatusCard';
import { StatCard } from '@/features/signals/components/StatCard';
import { describeApiError } from '@/lib/api';
import { formatNumber } from '@/lib/format';

function byTimeframe(stats: SignalStats): string {
  const parts = TIMEFRAMES.filter((tf) => stats.byTimeframe[tf]).map(
    (tf) => `${tf} ${stats.byTimeframe[tf]}`,
  );
  return parts.length > 0 ? parts.join(' · ') : 'none yet';
}

function DirectionSplit({ stats }: { stats: SignalStats }) {
  const total = stats.longCount + stats.shortCount;
  const longShare = total === 0 ? 0 : (stats.longCount / total) * 100;
  return (
    <Progress.Root size="md" mt={6} aria-label="LONG/SHORT split">
      <Progress.Section value={total === 0 ? 0 : longShare} color="green" />
      <Progress.Section value={total === 0 ? 0 : 100 - longShare} color="red" />
    </Progress.Root>
  );
}

/** Active signals, average score, updates in the last hour, LONG/SHORT split, scanner. */
export function SignalStatsCards() {
  const { data: stats, error, isPending } = useSignalStats();
  const failed = !stats && !isPending;
  const dash = failed ? '—' : undefined;

  return (
    <SimpleGrid cols={{ base: 2, md: 3, lg: 5 }} spacing="md">
      <StatCard
        title="Active signals"
        testId="stat-active"
        loading={isPending}
        value={dash ?? stats?.activeCount}
        hint={stats ? byTimeframe(stats) : failed ? describeApiError(error) : undefined}
      />
      <StatCard
        title="Average score"
        testId="stat-score"
        loading={isPending}
        value={dash ?? (stats?.averageScore == null ? '—' : formatNumber(stats.averageScore, 1))}
        hint="of active signals"
      />
      <StatCard
        title="Updates, last hour"
        testId="stat-updates"
        loading={isPending}
        value={dash ?? stats?.updatesLastHour}
        hint="created, updated or closed"
      />
      <StatCard
        title="Long / Short"
        testId="stat-split"
        loading={isPending}
        value={
          dash ??
          (stats && (
            <>
              <Text span inherit c="green">
                {stats.longCount}
              </Text>
              {' / '}
              <Text span inherit c="red">
                {stats.shortCount}
              </Text>
            </>
          ))
        }
      >
        {stats && <DirectionSplit stats={stats} />}
      </StatCard>
      <ScannerStatusCard />
    </SimpleGrid>
  );
}
