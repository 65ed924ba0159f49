import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';

import { scannerStatusKey } from '@/features/signals/api/getScannerStatus';
import { signalKeys } from '@/features/signals/api/signal';
import { useStreamStore } from '@/features/signals/stores/stream-store';
import { benchMode, installSignalBench } from '@/features/signals/utils/bench';
import {
  createSignalEventSink,
  type SignalEventSink,
} from '@/features/signals/utils/signal-events';
import { useWebSocket } from '@/hooks/useWebSocket';
import { wsUrl } from '@/lib/ws';

export const SIGNALS_SOCKET_PATH = '/ws/signals/';

/**
 * Keeps the page subscribed to `/ws/signals/` while mounted: events go to the signal store and
 * the query cache; after a (re)connect or a missed sequence number every signal query is
 * refetched, which brings the store back in line (see `useLiveSignals`).
 */
export function useSignalStream() {
  const queryClient = useQueryClient();
  const sinkRef = useRef<SignalEventSink | null>(null);

  useEffect(() => {
    const sink = createSignalEventSink(queryClient);
    sinkRef.current = sink;
    const uninstallBench = benchMode ? installSignalBench(sink) : undefined;
    return () => {
      uninstallBench?.();
      sink.dispose();
      sinkRef.current = null;
    };
  }, [queryClient]);

  return useWebSocket(benchMode ? null : wsUrl(SIGNALS_SOCKET_PATH), {
    sequenced: true,
    onFrame: (frame) => {
      sinkRef.current?.push(frame);
    },
    onResync: () => {
      // Whatever is queued predates the refetch; apply it first so the snapshot is the last word.
      sinkRef.current?.flush();
      void queryClient.invalidateQueries({ queryKey: signalKeys.all });
      void queryClient.invalidateQueries({ queryKey: scannerStatusKey });
    },
    onStatus: (status) => {
      useStreamStore.getState().setConnection(status);
    },
  });
}
