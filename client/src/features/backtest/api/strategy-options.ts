/**
 * What the backtest form offers to test: the user's strategies and their saved version numbers
 * (`/api/strategies/`, `/api/strategies/<id>/versions/`), decoded here with only the fields the
 * form needs.
 */
import { useQuery } from '@tanstack/react-query';

import { backtestKeys } from '@/features/backtest/api/backtests';
import { api } from '@/lib/api';
import {
  expectArray,
  expectNumber,
  expectObject,
  expectString,
  nullableNumber,
} from '@/lib/decode';

export interface StrategyOption {
  id: number;
  name: string;
  /** Null until its first version is saved (nothing to test yet). */
  latestVersion: number | null;
}

export function decodeStrategyOptions(json: unknown): StrategyOption[] {
  return expectArray(json, 'strategies').map((item, i) => {
    const s = expectObject(item, `strategies[${i}]`);
    return {
      id: expectNumber(s.id, `strategies[${i}].id`),
      name: expectString(s.name, `strategies[${i}].name`),
      latestVersion: nullableNumber(s.latest_version, `strategies[${i}].latest_version`),
    };
  });
}

export function decodeVersionNumbers(json: unknown): number[] {
  return expectArray(json, 'versions').map((item, i) =>
    expectNumber(expectObject(item, `versions[${i}]`).number, `versions[${i}].number`),
  );
}

export function useStrategyOptions() {
  return useQuery({
    queryKey: [...backtestKeys.all, 'strategies'],
    queryFn: ({ signal }) => api.get('/api/strategies/', decodeStrategyOptions, { signal }),
  });
}

export function useVersionNumbers(strategyId: number | null) {
  return useQuery({
    queryKey: [...backtestKeys.all, 'versions', strategyId ?? 0],
    queryFn: ({ signal }) =>
      api.get(`/api/strategies/${strategyId ?? 0}/versions/`, decodeVersionNumbers, { signal }),
    enabled: strategyId !== null,
  });
}

/** The timeframes the server knows (the scanner status lists its one list, signals/config.py). */
export function useTimeframes() {
  return useQuery({
    queryKey: [...backtestKeys.all, 'timeframes'],
    queryFn: ({ signal }) =>
      api.get(
        '/api/scanner/status/',
        (json) =>
          expectArray(expectObject(json, 'status').timeframes, 'status.timeframes').map((tf, i) =>
            expectString(tf, `timeframes[${i}]`),
          ),
        { signal },
      ),
    staleTime: Infinity,
  });
}
