/**
 * Writes of `/api/backtests/`: start a backtest (a 400 names each bad field under `errors`), cancel
 * one (a QUEUED run is CANCELED at once, a RUNNING one at its next chunk).
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';

import {
  BACKTESTS_PATH,
  backtestKeys,
  backtestPath,
  decodeBacktest,
} from '@/features/backtest/api/backtests';
import { api } from '@/lib/api';

/** The request body, as backend/backtest/parameters.py reads it (decimals as strings). */
export interface BacktestRequest {
  kind: 'scanner' | 'strategy';
  symbols: string[];
  timeframe: string;
  /** YYYY-MM-DD or YYYY-MM-DDTHH:MM, UTC. */
  start: string;
  end: string;
  maker_fee: string;
  taker_fee: string;
  slippage_bps: string;
  funding_rate_8h: string;
  leverage: string;
  starting_balance: string;
  notional?: string;
  strategy_id?: number;
  version?: number;
}

export function useStartBacktest() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: BacktestRequest) => api.post(BACKTESTS_PATH, decodeBacktest, { body }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: backtestKeys.list() }),
  });
}

export function useCancelBacktest() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api.post(`${backtestPath(id)}cancel/`, decodeBacktest),
    onSettled: (_data, _error, id) =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: backtestKeys.list() }),
        queryClient.invalidateQueries({ queryKey: backtestKeys.detail(id) }),
      ]),
  });
}
