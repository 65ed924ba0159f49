import { Alert, Button, Group, Stack, Text } from '@mantine/core';
import { useDeferredValue, useMemo } from 'react';

import { SNAPSHOT_SIZE } from '@/features/signals/api/getSignals';
import { SignalFiltersBar } from '@/features/signals/components/SignalFiltersBar';
import { SignalGrid, SignalGridSkeleton } from '@/features/signals/components/SignalGrid';
import { useLiveSignals } from '@/features/signals/hooks/useLiveSignals';
import { useSignalFilters } from '@/features/signals/hooks/useSignalFilters';
import { useSignalStore } from '@/features/signals/stores/signal-store';
import { STATUS_LABELS } from '@/features/signals/utils/conditions';
import { DEFAULT_FILTERS, selectVisible } from '@/features/signals/utils/filters';
import { describeApiError } from '@/lib/api';

/** Filters, then the grid of live signals, with its loading, error and empty states. */
export function SignalBoard() {
  const [filters, setFilters] = useSignalFilters();
  const snapshot = useLiveSignals(filters.status);
  const entries = useSignalStore((state) => state.entries);
  const loaded = useSignalStore((state) => state.loaded);
  // Typing in the search box stays responsive while 500 cards re-filter behind it.
  const deferredFilters = useDeferredValue(filters);
  const visible = useMemo(
    () => selectVisible(entries, deferredFilters),
    [entries, deferredFilters],
  );
  // Counts leave out cards that are fading out.
  const total = useMemo(
    () => Object.values(entries).filter((entry) => entry.anim !== 'exit').length,
    [entries],
  );
  const shown = useMemo(() => visible.filter((entry) => entry.anim !== 'exit').length, [visible]);
  const scopeLabel = (STATUS_LABELS[filters.status] ?? filters.status).toLowerCase();

  let body;
  if (!loaded && total === 0 && snapshot.isError) {
    body = (
      <Alert color="red" title="Signals unavailable">
        <Stack gap="xs" align="flex-start">
          <Text size="sm">{describeApiError(snapshot.error)}</Text>
          <Button size="xs" variant="light" color="red" onClick={() => void snapshot.refetch()}>
            Retry
          </Button>
        </Stack>
      </Alert>
    );
  } else if (!loaded && total === 0) {
    body = <SignalGridSkeleton />;
  } else if (total === 0 && visible.length === 0) {
    body = (
      <Alert color="gray" title={`No ${scopeLabel} signals`} data-testid="signals-empty">
        {filters.status === 'active'
          ? 'Nothing meets the bar right now. New signals appear here the moment the scanner finds them.'
          : 'None recorded yet.'}
      </Alert>
    );
  } else if (visible.length === 0) {
    body = (
      <Alert color="gray" title="No signals match these filters" data-testid="signals-no-match">
        <Button
          size="xs"
          variant="light"
          onClick={() => {
            setFilters({ ...DEFAULT_FILTERS, status: filters.status });
          }}
        >
          Clear filters
        </Button>
      </Alert>
    );
  } else {
    body = <SignalGrid entries={visible} />;
  }

  const serverCount = snapshot.data?.count ?? 0;
  return (
    <Stack gap="md">
      <SignalFiltersBar filters={filters} onChange={setFilters} />
      {snapshot.isError && loaded && (
        <Alert color="yellow" title="Refresh failed">
          {describeApiError(snapshot.error)} Live updates continue; the list may be incomplete.
        </Alert>
      )}
      <Group justify="space-between">
        <Text size="sm" c="dimmed" data-testid="signals-summary">
          {loaded ? `Showing ${shown} of ${total} ${scopeLabel} signals` : 'Loading…'}
        </Text>
        {serverCount > SNAPSHOT_SIZE && (
          <Text size="sm" c="dimmed">
            The latest {SNAPSHOT_SIZE} of {serverCount} are loaded.
          </Text>
        )}
      </Group>
      {body}
    </Stack>
  );
}
