import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router';

import type { PerformanceParams } from '@/features/performance/api/getPerformance';

export const TIMEFRAME_CHOICES = ['5m', '15m', '1h', '4h'] as const;
export const DAY_CHOICES = [1, 7, 30, 90] as const;
export const DEFAULT_DAYS = 30;

export function parsePerformanceParams(params: URLSearchParams): PerformanceParams {
  const timeframe = params.get('timeframe');
  const days = Number(params.get('days'));
  return {
    timeframe: (TIMEFRAME_CHOICES as readonly string[]).includes(timeframe ?? '')
      ? timeframe
      : null,
    days: (DAY_CHOICES as readonly number[]).includes(days) ? days : DEFAULT_DAYS,
  };
}

/** The performance page's timeframe and period, kept in the query string like the dashboard's. */
export function usePerformanceParams() {
  const [search, setSearch] = useSearchParams();
  const params = useMemo(() => parsePerformanceParams(search), [search]);
  const setParams = useCallback(
    (change: Partial<PerformanceParams>) => {
      setSearch(
        (current) => {
          const next = { ...parsePerformanceParams(current), ...change };
          const out = new URLSearchParams(current);
          if (next.timeframe) out.set('timeframe', next.timeframe);
          else out.delete('timeframe');
          if (next.days === DEFAULT_DAYS || next.days === null) out.delete('days');
          else out.set('days', String(next.days));
          return out;
        },
        { replace: true },
      );
    },
    [setSearch],
  );
  return [params, setParams] as const;
}
