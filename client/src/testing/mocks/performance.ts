import { http, HttpResponse, type JsonBodyType } from 'msw';

import { PERFORMANCE_PATH } from '@/features/performance/api/getPerformance';
import { signalJson } from '@/testing/factories';

/** One `Stats` object as the backend sends it (null rates without data). */
const stats = (
  count: number,
  wins: number,
  expectancy = 0.2,
  profitFactor: number | null = 1.4,
) => ({
  count,
  wins,
  losses: count - wins,
  tp_hits: wins,
  sl_hits: count - wins,
  win_rate: count === 0 ? null : wins / count,
  tp_rate: count === 0 ? null : wins / count,
  average_r: count === 0 ? null : expectancy,
  expectancy: count === 0 ? null : expectancy,
  expectancy_pct: count === 0 ? null : expectancy / 2,
  profit_factor: profitFactor,
  no_losses: count > 0 && wins === count,
});

export function performanceBody(overrides: Record<string, unknown> = {}) {
  return {
    overall: stats(40, 18, 0.21, 1.37),
    by_direction: { LONG: stats(25, 12), SHORT: stats(15, 6, -0.1, 0.8) },
    by_timeframe: { '1h': stats(10, 5), '5m': stats(30, 13) },
    by_confidence: {
      '80-85': stats(10, 5),
      '70-75': stats(20, 7),
      '75-80': stats(6, 6, 1.67, null),
    },
    by_symbol: { SOLUSDT: stats(40, 18) },
    calibration: [
      { bucket: '70-75', mean_confidence: 72.4, hit_rate: 0.35, tp_rate: 0.35, count: 20 },
      { bucket: '75-80', mean_confidence: 77.1, hit_rate: 0.6, tp_rate: 0.6, count: 10 },
    ],
    equity_curve: [
      { at: '2025-01-01T10:00:00Z', cumulative_r: 1.67 },
      { at: '2025-01-01T11:00:00Z', cumulative_r: 0.67 },
    ],
    latest: [
      signalJson({
        id: 77,
        symbol: 'SOLUSDT',
        status: 'tp_hit',
        closed_at: '2025-01-01T11:00:00Z',
        exit_price: 152.35,
        outcome_r: 1.67,
        return_pct: 1.24,
        entry: 150,
        tick_size: '0.01',
      }),
      // From the outcome archive: the key is its id, `confidence` is the one at creation.
      {
        id: 'ADAUSDT:1h:SHORT:1735722000000',
        key: 'ADAUSDT:1h:SHORT:1735722000000',
        symbol: 'ADAUSDT',
        timeframe: '1h',
        direction: 'SHORT',
        status: 'sl_hit',
        confidence: 74,
        entry: 0.9,
        exit_price: 0.91,
        stop_loss: 0.91,
        take_profit: 0.88,
        outcome_r: -1,
        return_pct: -1.11,
        conditions: ['rsi_band'],
        created_at: '2025-01-01T09:00:00Z',
        closed_at: '2025-01-01T10:00:00Z',
        tick_size: '0.0001',
      },
    ],
    ...overrides,
  };
}

export function emptyPerformanceBody() {
  const none = stats(0, 0, 0, null);
  return {
    overall: none,
    by_direction: {},
    by_timeframe: {},
    by_confidence: {},
    by_symbol: {},
    calibration: [],
    equity_curve: [],
    latest: [],
  };
}

export function performanceHandler(body: JsonBodyType = performanceBody(), requests: URL[] = []) {
  return http.get(PERFORMANCE_PATH, ({ request }) => {
    requests.push(new URL(request.url));
    return HttpResponse.json(body);
  });
}
