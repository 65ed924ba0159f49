import { Badge, Group, Text } from '@mantine/core';

import { useScannerStatus, type ScannerState } from '@/features/signals/api/getScannerStatus';
import { StatCard } from '@/features/signals/components/StatCard';
import { useStreamStore } from '@/features/signals/stores/stream-store';
import { useNow } from '@/hooks/useNow';
import { describeApiError } from '@/lib/api';
import { formatAge, formatDuration } from '@/lib/format';

const STATE_COLORS: Record<ScannerState, string> = {
  idle: 'gray',
  running: 'blue',
  error: 'red',
  banned: 'red',
};

/** What the scanner is doing, when it last finished and how long that scan took. */
export function ScannerStatusCard() {
  const { data: status, error, isPending } = useScannerStatus();
  const scannerError = useStreamStore((state) => state.scannerError);
  const now = useNow();
  const scan = status?.lastScan;

  let hint;
  if (!status) hint = isPending ? undefined : describeApiError(error);
  else if (!scan) hint = 'No scan yet';
  else {
    const finished = scan.finishedAt ?? scan.startedAt;
    hint = (
      <>
        <div data-testid="scanner-last-scan">
          Last scan {formatAge(now - finished)} ago
          {scan.durationMs !== null && ` · took ${formatDuration(scan.durationMs)}`}
        </div>
        <div>
          {scan.symbols} symbols · +{scan.signalsCreated} / ~{scan.signalsUpdated} / −
          {scan.signalsClosed}
        </div>
      </>
    );
  }

  return (
    <StatCard
      title="Scanner"
      testId="stat-scanner"
      loading={isPending}
      value={
        status ? (
          <Group gap="xs">
            <Badge color={STATE_COLORS[status.state]} variant="light" size="lg">
              {status.state}
            </Badge>
            {!status.stream.connected && (
              <Badge color="yellow" variant="outline" size="sm" title="Exchange stream">
                stream down
              </Badge>
            )}
          </Group>
        ) : (
          '—'
        )
      }
      hint={hint}
    >
      {scannerError && now - scannerError.at < 10 * 60_000 && (
        <Text size="xs" c="red" mt={4} lineClamp={2} title={scannerError.message}>
          {scannerError.message}
        </Text>
      )}
    </StatCard>
  );
}
