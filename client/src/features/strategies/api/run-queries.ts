/**
 * Reads for strategy runs: the user's runs, one run with its PnL and trace, its log and decisions,
 * and what the run controls and the run chart need (accounts, symbols, candles, fills).
 */
import { queryOptions, useQuery } from '@tanstack/react-query';

import {
  decodeAccountOptions,
  decodeCandles,
  decodeFillPage,
  decodeRunPositions,
  decodeSymbolOptions,
  marketKeys,
} from '@/features/strategies/api/run-context';
import {
  RUNS_PATH,
  decodeDecisions,
  decodeLogLines,
  decodeRunDetail,
  decodeRuns,
  runKeys,
  runPath,
} from '@/features/strategies/api/runs';
import { api } from '@/lib/api';

/** Candles drawn under a run's decisions: enough to hold a session of a few hundred candles. */
export const RUN_CHART_CANDLES = 300;

export function runsQueryOptions() {
  return queryOptions({
    queryKey: runKeys.list(),
    queryFn: ({ signal }) => api.get(RUNS_PATH, decodeRuns, { signal }),
  });
}

export function useRuns() {
  return useQuery(runsQueryOptions());
}

export function useRunDetail(id: number | null) {
  return useQuery({
    queryKey: runKeys.detail(id ?? 0),
    queryFn: ({ signal }) => api.get(runPath(id ?? 0), decodeRunDetail, { signal }),
    enabled: id !== null,
  });
}

/** The latest 200 lines, newest first; the socket adds new ones to the cache (`run-events.ts`). */
export function useRunLogs(id: number | null) {
  return useQuery({
    queryKey: runKeys.logs(id ?? 0),
    queryFn: ({ signal }) => api.get(`${runPath(id ?? 0)}logs/`, decodeLogLines, { signal }),
    enabled: id !== null,
  });
}

export function useRunDecisions(id: number | null) {
  return useQuery({
    queryKey: runKeys.decisions(id ?? 0),
    queryFn: ({ signal }) => api.get(`${runPath(id ?? 0)}decisions/`, decodeDecisions, { signal }),
    enabled: id !== null,
  });
}

export function useRunAccounts() {
  return useQuery({
    queryKey: runKeys.accounts(),
    queryFn: ({ signal }) => api.get('/api/trading/accounts/', decodeAccountOptions, { signal }),
  });
}

export function useSymbolOptions() {
  return useQuery({
    queryKey: marketKeys.symbols,
    queryFn: ({ signal }) => api.get('/api/symbols/', decodeSymbolOptions, { signal }),
    staleTime: 5 * 60_000,
  });
}

export function useRunCandles(symbol: string | null, timeframe: string) {
  return useQuery({
    queryKey: marketKeys.candles(symbol ?? '', timeframe),
    queryFn: ({ signal }) => {
      const params = new URLSearchParams({
        symbol: symbol ?? '',
        interval: timeframe,
        limit: String(RUN_CHART_CANDLES),
      });
      return api.get(`/api/klines/?${params}`, decodeCandles, { signal });
    },
    enabled: symbol !== null,
  });
}

/** The account's latest fills on `symbol` (the run's are told apart by their tag). */
export function useRunFills(accountId: number | null, symbol: string | null) {
  return useQuery({
    queryKey: runKeys.fills(accountId ?? 0, symbol ?? ''),
    queryFn: ({ signal }) => {
      const params = new URLSearchParams({
        account: String(accountId ?? 0),
        symbol: symbol ?? '',
        page_size: '200',
      });
      return api.get(`/api/trading/fills/?${params}`, decodeFillPage, { signal });
    },
    enabled: accountId !== null && symbol !== null,
  });
}

/** The run's shares of its account's positions; `position_updated` refetches them. */
export function useRunPositions(accountId: number, tag: string) {
  return useQuery({
    queryKey: runKeys.positions(accountId, tag),
    queryFn: ({ signal }) =>
      api.get(`/api/trading/accounts/${accountId}/`, (json) => decodeRunPositions(json, tag), {
        signal,
      }),
  });
}
