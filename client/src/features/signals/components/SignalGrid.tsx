import { Skeleton } from '@mantine/core';

import { SignalCard } from '@/features/signals/components/SignalCard';
import classes from '@/features/signals/components/SignalGrid.module.css';
import type { SignalEntry } from '@/features/signals/stores/signal-store';

/** A responsive grid of cards: as many ~300 px columns as fit. */
export function SignalGrid({ entries }: { entries: SignalEntry[] }) {
  return (
    <div className={classes.grid} data-testid="signal-grid" data-count={entries.length}>
      {entries.map((entry) => (
        <SignalCard key={entry.signal.id} entry={entry} />
      ))}
    </div>
  );
}

export function SignalGridSkeleton({ count = 8 }: { count?: number }) {
  return (
    <div className={classes.grid} aria-busy="true" aria-label="Loading signals">
      {Array.from({ length: count }, (_, index) => (
        <Skeleton key={index} height={200} radius="md" />
      ))}
    </div>
  );
}
