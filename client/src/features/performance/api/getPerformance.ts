/**
 * `GET /api/signals/performance/?timeframe=&days=`: how closed signals turned out, overall and
 * broken down, with the creation score against realised rates and the cumulative R.
 */
import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';

import { api } from '@/lib/api';
import {
  expectArray,
  expectBoolean,
  expectNumber,
  expectObject,
  expectOneOf,
  expectString,
  expectTime,
  nullableNumber,
  nullableTime,
  optionalString,
} from '@/lib/decode';

export const PERFORMANCE_PATH = '/api/signals/performance/';

/**
 * Outcome statistics. R is measured on the bracket shown at creation and is net of fees and
 * slippage unless named otherwise; stale signals (no outcome) are not counted.
 */
export interface OutcomeStats {
  count: number;
  /** Signals whose creation take-profit was reached before their stop-loss. */
  tpFirst: number;
  /** Signals closed with net R > 0 (take-profits, and expired / invalidated ones in profit). */
  inProfit: number;
  /** Take-profit rate, 0-1; null without closed signals. */
  tpRate: number | null;
  /** Closed-in-profit rate, 0-1: not the take-profit rate. */
  profitRate: number | null;
  averageR: number | null;
  averageRGross: number | null;
  averageRTrailed: number | null;
  expectancyPct: number | null;
  /** Net positive R over net negative R; null when there is no loss (`noLosses`) or no data. */
  profitFactor: number | null;
  noLosses: boolean;
  meanMfeR: number | null;
  meanMaeR: number | null;
}

export interface CalibrationPoint {
  /** Creation score bucket, e.g. "70-75". */
  bucket: string;
  count: number;
  meanScore: number;
  /** Realised take-profit rate, 0-1. */
  tpRate: number;
  /** Realised closed-in-profit rate, 0-1. */
  profitRate: number;
}

export interface EquityPoint {
  /** Exchange time of the close (the write time for records that lack it). */
  at: number;
  cumulativeR: number;
}

/** The fields of a closed signal this page shows. */
export interface ClosedSignal {
  /** The live signal's id while it is still kept (24 h); archived outcomes have only a key. */
  id: number | null;
  key: string;
  symbol: string;
  timeframe: string;
  direction: 'LONG' | 'SHORT';
  status: string;
  /** What closed it, e.g. "expired after 12 candles". */
  closeRule: string;
  /** Score at creation. */
  score: number;
  entry: number;
  exitPrice: number | null;
  /** Net R, creation bracket; null for a stale signal. */
  r: number | null;
  rTrailed: number | null;
  feesR: number | null;
  mfeR: number | null;
  maeR: number | null;
  returnPct: number | null;
  /** Exchange time of the close (the write time for records that lack it). */
  closedAt: number | null;
  tickSize: string | null;
}

export interface Performance {
  overall: OutcomeStats;
  byDirection: Record<string, OutcomeStats>;
  byTimeframe: Record<string, OutcomeStats>;
  byScore: Record<string, OutcomeStats>;
  calibration: CalibrationPoint[];
  equityCurve: EquityPoint[];
  latest: ClosedSignal[];
}

export interface PerformanceParams {
  timeframe: string | null;
  days: number | null;
}

function decodeStats(json: unknown, where: string): OutcomeStats {
  const s = expectObject(json, where);
  const rate = (field: string) => nullableNumber(s[field], `${where}.${field}`);
  return {
    count: expectNumber(s.count, `${where}.count`),
    tpFirst: expectNumber(s.tp_first, `${where}.tp_first`),
    inProfit: expectNumber(s.in_profit, `${where}.in_profit`),
    tpRate: rate('tp_rate'),
    profitRate: rate('profit_rate'),
    averageR: rate('average_r'),
    averageRGross: rate('average_r_gross'),
    averageRTrailed: rate('average_r_trailed'),
    expectancyPct: rate('expectancy_pct'),
    profitFactor: rate('profit_factor'),
    noLosses: expectBoolean(s.no_losses, `${where}.no_losses`),
    meanMfeR: rate('mean_mfe_r'),
    meanMaeR: rate('mean_mae_r'),
  };
}

function decodeStatsRecord(json: unknown, where: string): Record<string, OutcomeStats> {
  return Object.fromEntries(
    Object.entries(expectObject(json, where)).map(([key, value]) => [
      key,
      decodeStats(value, `${where}.${key}`),
    ]),
  );
}

function decodeClosedSignal(json: unknown, where: string): ClosedSignal {
  const s = expectObject(json, where);
  const key = optionalString(s.key, `${where}.key`) ?? String(s.id);
  const number = (field: string) => nullableNumber(s[field], `${where}.${field}`);
  const closedMs = number('closed_ms');
  return {
    id: typeof s.id === 'number' ? s.id : null,
    key,
    symbol: expectString(s.symbol, `${where}.symbol`),
    timeframe: expectString(s.timeframe, `${where}.timeframe`),
    direction: expectOneOf(s.direction, ['LONG', 'SHORT'], `${where}.direction`),
    status: expectString(s.status, `${where}.status`),
    closeRule: optionalString(s.close_rule, `${where}.close_rule`) ?? '',
    score: expectNumber(s.score, `${where}.score`),
    entry: expectNumber(s.entry, `${where}.entry`),
    exitPrice: number('exit_price'),
    r: number('r'),
    rTrailed: number('r_trailed'),
    feesR: number('fees_r'),
    mfeR: number('mfe_r'),
    maeR: number('mae_r'),
    returnPct: number('return_pct'),
    closedAt: closedMs ?? nullableTime(s.closed_at, `${where}.closed_at`),
    tickSize: optionalString(s.tick_size, `${where}.tick_size`),
  };
}

export function decodePerformance(json: unknown): Performance {
  const p = expectObject(json, 'performance');
  return {
    overall: decodeStats(p.overall, 'performance.overall'),
    byDirection: decodeStatsRecord(p.by_direction, 'performance.by_direction'),
    byTimeframe: decodeStatsRecord(p.by_timeframe, 'performance.by_timeframe'),
    // Buckets of the creation score (the API's name predates "score").
    byScore: decodeStatsRecord(p.by_score ?? p.by_confidence, 'performance.by_score'),
    calibration: expectArray(p.calibration, 'performance.calibration').map((item, i) => {
      const where = `performance.calibration[${i}]`;
      const point = expectObject(item, where);
      return {
        bucket: expectString(point.bucket, `${where}.bucket`),
        count: expectNumber(point.count, `${where}.count`),
        meanScore: expectNumber(point.mean_score, `${where}.mean_score`),
        tpRate: expectNumber(point.tp_rate, `${where}.tp_rate`),
        profitRate: expectNumber(point.profit_rate, `${where}.profit_rate`),
      };
    }),
    equityCurve: expectArray(p.equity_curve, 'performance.equity_curve').map((item, i) => {
      const where = `performance.equity_curve[${i}]`;
      const point = expectObject(item, where);
      return {
        at:
          nullableNumber(point.closed_ms, `${where}.closed_ms`) ??
          expectTime(point.at, `${where}.at`),
        cumulativeR: expectNumber(point.cumulative_r, `${where}.cumulative_r`),
      };
    }),
    latest: expectArray(p.latest, 'performance.latest').map((item, i) =>
      decodeClosedSignal(item, `performance.latest[${i}]`),
    ),
  };
}

export function getPerformance(
  { timeframe, days }: PerformanceParams,
  { signal }: { signal?: AbortSignal } = {},
): Promise<Performance> {
  const params = new URLSearchParams();
  if (timeframe) params.set('timeframe', timeframe);
  if (days !== null) params.set('days', String(days));
  const query = params.size > 0 ? `?${params}` : '';
  return api.get(`${PERFORMANCE_PATH}${query}`, decodePerformance, signal ? { signal } : {});
}

export function performanceQueryOptions(params: PerformanceParams) {
  return queryOptions({
    queryKey: ['performance', params.timeframe, params.days] as const,
    queryFn: ({ signal }) => getPerformance(params, { signal }),
    staleTime: 60_000,
    // Switching filters keeps the old figures on screen until the new ones arrive.
    placeholderData: keepPreviousData,
  });
}

export function usePerformance(params: PerformanceParams) {
  return useQuery(performanceQueryOptions(params));
}
