import { useEffect } from 'react';

import { useSignalList } from '@/features/signals/api/getSignals';
import type { StatusScope } from '@/features/signals/api/signal';
import { useSignalStore } from '@/features/signals/stores/signal-store';
import { benchMode } from '@/features/signals/utils/bench';

/**
 * Points the signal store at `scope` and feeds it the REST snapshot of that scope whenever one
 * arrives (first load, and every resync the stream asks for). Returns the snapshot query for its
 * loading and error states.
 */
export function useLiveSignals(scope: StatusScope) {
  const query = useSignalList(scope, { enabled: !benchMode });
  const { data } = query;

  // Declared first, so it runs before the snapshot effect of the same commit.
  useEffect(() => {
    useSignalStore.getState().setScope(scope);
  }, [scope]);

  useEffect(() => {
    if (data) useSignalStore.getState().applySnapshot(scope, data.signals, data.requestedAt);
  }, [data, scope]);

  return query;
}
