/**
 * The strategy events of the private channel (`/ws/account/`, opened once by the app) applied to
 * the cached runs. The engine publishes (backend/strategies/engine/handling.py):
 *
 * - `strategy_log` `{run_id, id, level, message, symbol, candle_time, at}`: added to the run's cached
 *   log, so an open log panel grows without a refetch;
 * - `strategy_decision` `{run_id, symbol, candle_time, kind, payload, order_id, outcome}`: the
 *   run's decisions and PnL are refetched (the REST rows carry the order's id and status);
 * - `strategy_run_updated` `{run_id, status, error, ...}`: the status is written into the cached
 *   list at once, then the list and the run are refetched (the trace is read over the API).
 *
 * Orders changing refetch the fills on the run chart and the runs' PnL, positions changing the
 * runs' positions, accounts changing the account choices. Pure apart from the QueryClient it is given.
 */
import type { QueryClient } from '@tanstack/react-query';

import {
  RUN_STATUSES,
  type Run,
  type RunLogLine,
  decodeLogLine,
  runKeys,
} from '@/features/strategies/api/runs';
import { expectNumber, expectObject, expectOneOf, optionalString } from '@/lib/decode';
import type { SocketFrame } from '@/lib/ws';

/** The log panel keeps this many lines: the REST page (200) and what arrived since. */
export const LOG_LINES_KEPT = 500;

/**
 * `incoming` (newest first) put before `lines` (newest first), leaving out a line already there:
 * the same line can come in the REST page and on the socket when both race. Lines with ids are the
 * same when their ids are (two lines of equal text stay two); a line without an id (from an older
 * server) is the same as one of equal time, level, symbol and message.
 */
export function mergeLogLines(
  lines: readonly RunLogLine[],
  incoming: readonly RunLogLine[],
  keep = LOG_LINES_KEPT,
): RunLogLine[] {
  const text = (l: RunLogLine) => `${l.at}|${l.level}|${l.symbol}|${l.message}`;
  const ids = new Set<number>();
  const texts = new Set<string>(); // every line's text
  const textsWithoutId = new Set<string>();
  const remember = (l: RunLogLine) => {
    texts.add(text(l));
    if (l.id === null) textsWithoutId.add(text(l));
    else ids.add(l.id);
  };
  lines.forEach(remember);
  const fresh = incoming.filter((l) => {
    const seen = l.id === null ? texts.has(text(l)) : ids.has(l.id) || textsWithoutId.has(text(l));
    if (!seen) remember(l);
    return !seen;
  });
  if (fresh.length === 0) return lines as RunLogLine[];
  return [...fresh, ...lines].sort((a, b) => b.at - a.at).slice(0, keep);
}

/** Applies one frame; returns whether it was a strategy event. */
export function applyStrategyEvent(queryClient: QueryClient, frame: SocketFrame): boolean {
  switch (frame.type) {
    case 'strategy_log': {
      const data = expectObject(frame.data, frame.type);
      const runId = expectNumber(data.run_id, 'strategy_log.run_id');
      const line = decodeLogLine(data, 'strategy_log');
      queryClient.setQueryData<RunLogLine[]>(runKeys.logs(runId), (old) =>
        old ? mergeLogLines(old, [line]) : old,
      );
      return true;
    }
    case 'strategy_decision': {
      const runId = expectNumber(expectObject(frame.data, frame.type).run_id, 'run_id');
      void queryClient.invalidateQueries({ queryKey: runKeys.decisions(runId) });
      void queryClient.invalidateQueries({ queryKey: runKeys.detail(runId) });
      return true;
    }
    case 'strategy_run_updated': {
      const data = expectObject(frame.data, frame.type);
      const runId = expectNumber(data.run_id, 'strategy_run_updated.run_id');
      const status = expectOneOf(data.status, RUN_STATUSES, 'strategy_run_updated.status');
      const error = optionalString(data.error, 'strategy_run_updated.error') ?? '';
      queryClient.setQueryData<Run[]>(runKeys.list(), (old) =>
        old?.map((run) => (run.id === runId ? { ...run, status, error } : run)),
      );
      void queryClient.invalidateQueries({ queryKey: runKeys.list() });
      void queryClient.invalidateQueries({ queryKey: runKeys.detail(runId) });
      return true;
    }
    case 'order_updated':
      void queryClient.invalidateQueries({ queryKey: [...runKeys.all, 'fills'] });
      void queryClient.invalidateQueries({ queryKey: [...runKeys.all, 'detail'] });
      return false;
    case 'position_updated':
      void queryClient.invalidateQueries({ queryKey: [...runKeys.all, 'positions'] });
      return false;
    case 'exchange_account_updated':
      void queryClient.invalidateQueries({ queryKey: runKeys.accounts() });
      return false;
    default:
      return false;
  }
}

/** After a reconnection or missed events: everything about runs may be stale. */
export function resyncStrategies(queryClient: QueryClient): void {
  void queryClient.invalidateQueries({ queryKey: runKeys.all });
}
