/**
 * A test hook for measuring the dashboard: open any page with `?bench=1` and the page neither
 * connects to `/ws/signals/` nor loads the REST snapshot; instead `window.__signalBench` takes
 * frames shaped exactly like the socket's and feeds them through the same decode -> batch -> store
 * path. The flag is read from the URL the app was loaded with, so it works in the production build;
 * it only ever affects the page that asked for it.
 */
import { useSignalStore } from '@/features/signals/stores/signal-store';
import { useStreamStore } from '@/features/signals/stores/stream-store';
import type { SignalEventSink } from '@/features/signals/utils/signal-events';
import type { SocketFrame } from '@/lib/ws';

export const BENCH_PARAM = 'bench';

/** Read once: in-app navigation drops the query string, the mode must stay. */
export const benchMode =
  typeof window !== 'undefined' &&
  new URLSearchParams(window.location.search).get(BENCH_PARAM) === '1';

export interface SignalBench {
  /** Feeds frames as if the socket had received them (`{type, seq?, data}`). */
  dispatch: (frames: SocketFrame[]) => void;
  /** Applies queued frames now instead of on the next animation frame. */
  flush: () => void;
  /** Empties the dashboard. */
  reset: () => void;
}

declare global {
  interface Window {
    __signalBench?: SignalBench;
  }
}

function emptyView() {
  const store = useSignalStore.getState();
  store.reset();
  store.applySnapshot(store.scope, [], Date.now());
}

/** Installs `window.__signalBench` on top of `sink`; returns the uninstaller. */
export function installSignalBench(sink: SignalEventSink): () => void {
  emptyView();
  useStreamStore.getState().setConnection({ state: 'closed', attempt: 0, retryAt: null });
  window.__signalBench = {
    dispatch: (frames) => {
      frames.forEach(sink.push);
    },
    flush: sink.flush,
    reset: emptyView,
  };
  return () => {
    delete window.__signalBench;
  };
}
