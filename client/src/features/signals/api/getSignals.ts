/**
 * `GET /api/signals/?status=...`: the snapshot the live dashboard starts from. One page of up to
 * 500 signals, newest first; the other filters apply in the browser, so they answer instantly and
 * socket events land in the same view.
 */
import { queryOptions, useQuery } from '@tanstack/react-query';

import {
  decodeSignal,
  signalKeys,
  type Signal,
  type StatusScope,
} from '@/features/signals/api/signal';
import { api } from '@/lib/api';
import { expectArray, expectNumber, expectObject } from '@/lib/decode';

export const SIGNALS_PATH = '/api/signals/';
/** The API's largest page. */
export const SNAPSHOT_SIZE = 500;

export interface SignalSnapshot {
  /** How many signals match on the server (may exceed what was fetched). */
  count: number;
  signals: Signal[];
  /** When the request left (epoch ms): socket events after it are newer than the snapshot. */
  requestedAt: number;
}

export function decodeSignalPage(json: unknown): { count: number; signals: Signal[] } {
  const page = expectObject(json, 'signals');
  return {
    count: expectNumber(page.count, 'signals.count'),
    signals: expectArray(page.results, 'signals.results').map((item, index) =>
      decodeSignal(item, `signals.results[${index}]`),
    ),
  };
}

export async function getSignals(
  scope: StatusScope,
  { signal }: { signal?: AbortSignal } = {},
): Promise<SignalSnapshot> {
  const params = new URLSearchParams({
    status: scope,
    ordering: '-created_at',
    page_size: String(SNAPSHOT_SIZE),
  });
  const requestedAt = Date.now();
  const page = await api.get(
    `${SIGNALS_PATH}?${params}`,
    decodeSignalPage,
    signal ? { signal } : {},
  );
  return { ...page, requestedAt };
}

export function signalListQueryOptions(scope: StatusScope) {
  return queryOptions({
    queryKey: signalKeys.list(scope),
    queryFn: ({ signal }) => getSignals(scope, { signal }),
    // The socket keeps the view current and asks for a refetch when it may have missed something.
    staleTime: Infinity,
    // Nothing keeps a snapshot current once the dashboard stops watching it (the store carries
    // on instead): drop it, so coming back fetches a fresh one rather than replaying an old one.
    gcTime: 0,
  });
}

export function useSignalList(scope: StatusScope, { enabled = true } = {}) {
  return useQuery({ ...signalListQueryOptions(scope), enabled });
}
