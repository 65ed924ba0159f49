import { http, HttpResponse, type JsonBodyType } from 'msw';

import { CALIBRATION_PATH } from '@/features/performance/api/getCalibrationReport';
import { PERFORMANCE_PATH } from '@/features/performance/api/getPerformance';

/** One `Stats` object as the backend sends it (null rates without data). */
const stats = (
  count: number,
  tpFirst: number,
  inProfit: number,
  averageR = 0.2,
  profitFactor: number | null = 1.4,
) => ({
  count,
  tp_first: tpFirst,
  sl_first: count - inProfit,
  in_profit: inProfit,
  tp_hits: tpFirst,
  sl_hits: count - inProfit,
  expired: 0,
  invalidated: 0,
  tp_rate: count === 0 ? null : tpFirst / count,
  sl_rate: count === 0 ? null : (count - inProfit) / count,
  profit_rate: count === 0 ? null : inProfit / count,
  average_r: count === 0 ? null : averageR,
  average_r_gross: count === 0 ? null : averageR + 0.3,
  average_r_trailed: count === 0 ? null : averageR - 0.05,
  expectancy_pct: count === 0 ? null : averageR / 2,
  profit_factor: profitFactor,
  no_losses: count > 0 && profitFactor === null,
  mean_mfe_r: count === 0 ? null : 1.25,
  mean_mae_r: count === 0 ? null : 0.8,
});

export function performanceBody(overrides: Record<string, unknown> = {}) {
  return {
    overall: stats(40, 10, 18, 0.21, 1.37),
    by_direction: { LONG: stats(25, 8, 12), SHORT: stats(15, 2, 6, -0.1, 0.8) },
    by_timeframe: { '1h': stats(10, 3, 5), '5m': stats(30, 7, 13) },
    by_confidence: {
      '80-85': stats(10, 3, 5),
      '70-75': stats(20, 5, 7),
      '75-80': stats(6, 6, 6, 1.67, null),
    },
    by_symbol: { SOLUSDT: stats(40, 10, 18) },
    calibration: [
      { bucket: '70-75', count: 20, mean_score: 72.4, tp_rate: 0.25, profit_rate: 0.35 },
      { bucket: '75-80', count: 10, mean_score: 77.1, tp_rate: 0.6, profit_rate: 0.6 },
    ],
    equity_curve: [
      {
        at: '2025-01-01T10:00:00Z',
        closed_ms: Date.parse('2025-01-01T09:00:00Z'),
        cumulative_r: 1.6,
      },
      { at: '2025-01-01T11:00:00Z', closed_ms: null, cumulative_r: 0.6 },
    ],
    latest: [
      {
        id: 'SOLUSDT:5m:LONG:1735721700000',
        key: 'SOLUSDT:5m:LONG:1735721700000',
        symbol: 'SOLUSDT',
        timeframe: '5m',
        direction: 'LONG',
        status: 'tp_hit',
        close_rule: 'tp_hit',
        score: 80,
        entry: 150,
        exit_price: 152.35,
        r: 1.6,
        outcome_r: 1.6,
        r_gross: 1.67,
        r_trailed: 1.52,
        fees_r: 0.07,
        mfe_r: 1.8,
        mae_r: 0.4,
        return_pct: 1.2,
        created_ms: Date.parse('2025-01-01T10:00:00Z'),
        closed_ms: Date.parse('2025-01-01T10:55:00Z'),
        closed_at: '2025-01-01T11:00:00Z',
        tick_size: '0.01',
      },
      {
        id: 'ADAUSDT:1h:SHORT:1735722000000',
        key: 'ADAUSDT:1h:SHORT:1735722000000',
        symbol: 'ADAUSDT',
        timeframe: '1h',
        direction: 'SHORT',
        status: 'expired',
        close_rule: 'expired after 12 candles',
        score: 74,
        entry: 0.9,
        exit_price: 0.91,
        r: -0.55,
        outcome_r: -0.55,
        r_gross: -0.5,
        r_trailed: null,
        fees_r: 0.05,
        mfe_r: 0.2,
        mae_r: 0.9,
        return_pct: -1.11,
        created_ms: null,
        closed_ms: null,
        closed_at: '2025-01-01T10:00:00Z',
        tick_size: '0.0001',
      },
    ],
    ...overrides,
  };
}

export function emptyPerformanceBody() {
  const none = stats(0, 0, 0, 0, null);
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

const wfStats = (count: number, tpRate: number, averageR: number) => ({
  count,
  tp_rate: tpRate,
  profit_rate: tpRate + 0.1,
  average_r: averageR,
  average_r_gross: averageR + 0.35,
  profit_factor: 0.5,
});

/** `/api/signals/calibration/` as bench/walk_forward.py's prior makes it. */
export function calibrationBody() {
  return {
    curves: [],
    about: {
      generated_by: 'bench/walk_forward.py',
      generated_at: '2026-12-02T02:30:00Z',
      data: 'replay of the 14 recorded days of 50 USD-M pairs, 5m (backend/sandbox/data)',
    },
    out_of_sample: {
      default_rules_by_timeframe: {
        '5m': {
          in_sample: wfStats(8667, 0.218, -0.343),
          out_of_sample: wfStats(9629, 0.206, -0.373),
        },
      },
      default_rules: {
        in_sample: wfStats(8667, 0.218, -0.343),
        out_of_sample: wfStats(9629, 0.206, -0.373),
      },
      weights: {
        chosen: 'without rsi_band',
        min_count: 500,
        candidates: [
          {
            label: 'default',
            in_sample: wfStats(8667, 0.218, -0.343),
            out_of_sample: wfStats(9629, 0.206, -0.373),
          },
          {
            label: 'without rsi_band',
            in_sample: wfStats(7000, 0.22, -0.3),
            out_of_sample: wfStats(7100, 0.21, -0.35),
          },
        ],
      },
      threshold: {
        chosen: 80,
        min_count: 500,
        candidates: [
          {
            threshold: 70,
            in_sample: wfStats(8667, 0.218, -0.343),
            out_of_sample: wfStats(9629, 0.206, -0.373),
          },
          {
            threshold: 80,
            in_sample: wfStats(2500, 0.25, -0.2),
            out_of_sample: wfStats(2600, 0.23, -0.3),
          },
        ],
      },
      calibration: { bucket_width: 5, rows: [], not_shown: 0 },
      calibration_10: {
        bucket_width: 10,
        not_shown: 0,
        rows: [
          {
            bucket: '70-80',
            timeframe: 'all',
            direction: 'all',
            count: 6657,
            shown: 0.203,
            realised: 0.191,
            gap: 1.2,
          },
          {
            bucket: '70-80',
            timeframe: '5m',
            direction: 'LONG',
            count: 3408,
            shown: 0.224,
            realised: 0.204,
            gap: 2.0,
          },
        ],
      },
    },
  };
}

export function performanceHandler(body: JsonBodyType = performanceBody(), requests: URL[] = []) {
  return [
    http.get(PERFORMANCE_PATH, ({ request }) => {
      requests.push(new URL(request.url));
      return HttpResponse.json(body);
    }),
    http.get(CALIBRATION_PATH, () => HttpResponse.json(calibrationBody())),
  ];
}
