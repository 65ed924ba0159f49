/** `GET /api/signals/stats/`: the numbers on the dashboard's stats cards. */
import { queryOptions, useQuery } from '@tanstack/react-query';

import { signalKeys } from '@/features/signals/api/signal';
import { api } from '@/lib/api';
import { expectNumber, expectObject, nullableNumber, numberRecord } from '@/lib/decode';

export const SIGNAL_STATS_PATH = '/api/signals/stats/';
/** A backstop: socket events already trigger a refetch (see `useSignalStream`). */
const STATS_REFETCH_MS = 30_000;

export interface SignalStats {
  activeCount: number;
  averageScore: number | null;
  updatesLastHour: number;
  longCount: number;
  shortCount: number;
  byTimeframe: Record<string, number>;
}

export function decodeSignalStats(json: unknown): SignalStats {
  const s = expectObject(json, 'stats');
  return {
    activeCount: expectNumber(s.active_count, 'stats.active_count'),
    averageScore: nullableNumber(s.average_score, 'stats.average_score'),
    updatesLastHour: expectNumber(s.updates_last_hour, 'stats.updates_last_hour'),
    longCount: expectNumber(s.long_count, 'stats.long_count'),
    shortCount: expectNumber(s.short_count, 'stats.short_count'),
    byTimeframe: numberRecord(s.by_timeframe, 'stats.by_timeframe'),
  };
}

export function getSignalStats({ signal }: { signal?: AbortSignal } = {}) {
  return api.get(SIGNAL_STATS_PATH, decodeSignalStats, signal ? { signal } : {});
}

export function signalStatsQueryOptions() {
  return queryOptions({
    queryKey: signalKeys.stats(),
    queryFn: ({ signal }) => getSignalStats({ signal }),
    refetchInterval: STATS_REFETCH_MS,
  });
}

export function useSignalStats() {
  return useQuery(signalStatsQueryOptions());
}
