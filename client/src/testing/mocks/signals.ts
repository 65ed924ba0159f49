import { http, HttpResponse } from 'msw';

import { SCANNER_STATUS_PATH } from '@/features/signals/api/getScannerStatus';
import { SIGNALS_PATH } from '@/features/signals/api/getSignals';
import { SIGNAL_STATS_PATH } from '@/features/signals/api/getSignalStats';
import type { SignalJson } from '@/testing/factories';

export function statsBody(overrides: Record<string, unknown> = {}) {
  return {
    active_count: 2,
    average_score: 84.25,
    updates_last_hour: 17,
    long_count: 1,
    short_count: 1,
    by_timeframe: { '5m': 1, '1h': 1 },
    ...overrides,
  };
}

export function scannerBody(overrides: Record<string, unknown> = {}) {
  return {
    state: 'idle',
    last_scan: {
      started_at: '2025-01-01T11:59:58Z',
      finished_at: '2025-01-01T11:59:59Z',
      duration_ms: 812.5,
      symbols: 50,
      signals_created: 2,
      signals_updated: 5,
      signals_closed: 1,
      status: 'ok',
    },
    stream: { connected: true, last_event_at: '2025-01-01T11:59:59Z' },
    governor: { used_weight: 420, budget: 2400, banned_until: null },
    ...overrides,
  };
}

export function signalPage(signals: SignalJson[]) {
  return { count: signals.length, next: null, previous: null, results: signals };
}

/**
 * `/api/signals/` answering `pages` in turn (the last one repeats), with each request's query
 * recorded in `requests`.
 */
export function signalListHandler(pages: SignalJson[][], requests: URLSearchParams[] = []) {
  return http.get(SIGNALS_PATH, ({ request }) => {
    const query = new URL(request.url).searchParams;
    const page = pages[Math.min(requests.length, pages.length - 1)] ?? [];
    requests.push(query);
    return HttpResponse.json(signalPage(page));
  });
}

export const dashboardHandlers = {
  stats: (body = statsBody()) => http.get(SIGNAL_STATS_PATH, () => HttpResponse.json(body)),
  scanner: (body = scannerBody()) => http.get(SCANNER_STATUS_PATH, () => HttpResponse.json(body)),
};
