/**
 * The backtest events of the private channel (`/ws/account/`, opened once by the app) applied to
 * the cached runs. The worker publishes (backend/backtest/services.py):
 *
 * - `backtest_progress` `{backtest_id, progress, status}` between chunks: written into the cached
 *   list and the run's detail at once, so a progress bar moves without a refetch;
 * - `backtest_finished` `{backtest_id, progress, status, error}`: written in, then the list and
 *   the run are refetched (the results are read over the API).
 *
 * Pure apart from the QueryClient it is given.
 */
import type { QueryClient } from '@tanstack/react-query';

import {
  BACKTEST_STATUSES,
  type Backtest,
  type BacktestDetail,
  backtestKeys,
} from '@/features/backtest/api/backtests';
import { expectNumber, expectObject, expectOneOf, optionalString } from '@/lib/decode';
import type { SocketFrame } from '@/lib/ws';

interface Change {
  id: number;
  progress: number;
  status: Backtest['status'];
  error: string | null;
}

function changeOf(frame: SocketFrame): Change {
  const data = expectObject(frame.data, frame.type);
  return {
    id: expectNumber(data.backtest_id, `${frame.type}.backtest_id`),
    progress: expectNumber(data.progress, `${frame.type}.progress`),
    status: expectOneOf(data.status, BACKTEST_STATUSES, `${frame.type}.status`),
    error: optionalString(data.error, `${frame.type}.error`),
  };
}

function patch<T extends Backtest>(run: T, change: Change): T {
  return {
    ...run,
    progress: Math.max(run.progress, change.progress),
    status: change.status,
    error: change.error ?? run.error,
  };
}

/** Applies one frame; returns whether it was a backtest event. */
export function applyBacktestEvent(queryClient: QueryClient, frame: SocketFrame): boolean {
  if (frame.type !== 'backtest_progress' && frame.type !== 'backtest_finished') return false;
  const change = changeOf(frame);
  queryClient.setQueryData<Backtest[]>(backtestKeys.list(), (old) =>
    old?.map((run) => (run.id === change.id ? patch(run, change) : run)),
  );
  queryClient.setQueryData<BacktestDetail>(backtestKeys.detail(change.id), (old) =>
    old ? patch(old, change) : old,
  );
  if (frame.type === 'backtest_finished') {
    void queryClient.invalidateQueries({ queryKey: backtestKeys.list() });
    void queryClient.invalidateQueries({ queryKey: backtestKeys.detail(change.id) });
  }
  return true;
}

/** After a reconnect or a sequence gap: events may have been missed, read the runs again. */
export function resyncBacktests(queryClient: QueryClient): void {
  void queryClient.invalidateQueries({ queryKey: backtestKeys.all });
}
