/** Reads of `/api/backtests/`: the user's runs, one run with its results, its candles, a comparison. */
import { keepPreviousData, useQuery } from '@tanstack/react-query';

import {
  BACKTESTS_PATH,
  backtestKeys,
  backtestPath,
  decodeBacktestDetail,
  decodeBacktests,
  decodeCandles,
  decodeCompare,
} from '@/features/backtest/api/backtests';
import { api } from '@/lib/api';

export function useBacktests() {
  return useQuery({
    queryKey: backtestKeys.list(),
    queryFn: ({ signal }) => api.get(BACKTESTS_PATH, decodeBacktests, { signal }),
  });
}

export function useBacktest(id: number | null) {
  return useQuery({
    queryKey: backtestKeys.detail(id ?? 0),
    queryFn: ({ signal }) => api.get(backtestPath(id ?? 0), decodeBacktestDetail, { signal }),
    enabled: id !== null,
  });
}

export function useBacktestCandles(id: number, symbol: string) {
  return useQuery({
    queryKey: backtestKeys.candles(id, symbol),
    queryFn: ({ signal }) =>
      api.get(`${backtestPath(id)}candles/?symbol=${encodeURIComponent(symbol)}`, decodeCandles, {
        signal,
      }),
    staleTime: Infinity, // history: the window's candles do not change
  });
}

export function useBacktestCompare(ids: readonly number[]) {
  return useQuery({
    queryKey: backtestKeys.compare(ids),
    queryFn: ({ signal }) =>
      api.get(`${BACKTESTS_PATH}compare/?ids=${ids.join(',')}`, decodeCompare, { signal }),
    enabled: ids.length > 0,
    placeholderData: keepPreviousData,
  });
}
