import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router';

import { parseFilters, writeFilters, type SignalFilters } from '@/features/signals/utils/filters';

/**
 * The dashboard's filters, read from and written to the query string. Changes replace the
 * history entry: the back button leaves the dashboard instead of undoing filter clicks one by one.
 */
export function useSignalFilters() {
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => parseFilters(params), [params]);

  const setFilters = useCallback(
    (change: Partial<SignalFilters>) => {
      setParams((current) => writeFilters({ ...parseFilters(current), ...change }, current), {
        replace: true,
      });
    },
    [setParams],
  );

  return [filters, setFilters] as const;
}
