/**
 * `GET /api/signals/performance/?timeframe=&days=`: how closed signals turned out, overall and
 * broken down, with the calibration of confidence against outcomes and the cumulative R.
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

export interface OutcomeStats {
  count: number;
  wins: number;
  losses: number;
  /** 0-1; null without closed signals. */
  winRate: number | null;
  averageR: number | null;
  /** Mean R per signal. */
  expectancy: number | null;
  /** Gross wins over gross losses; null when there is no loss (`noLosses`) or no data. */
  profitFactor: number | null;
  noLosses: boolean;
}

export interface CalibrationPoint {
  bucket: string;
  meanConfidence: number;
  /** 0-1. */
  hitRate: number;
  count: number;
}

export interface EquityPoint {
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
  initialConfidence: number;
  entry: number;
  exitPrice: number | null;
  outcomeR: number | null;
  returnPct: number | null;
  closedAt: number | null;
  tickSize: string | null;
}

export interface Performance {
  overall: OutcomeStats;
  byDirection: Record<string, OutcomeStats>;
  byTimeframe: Record<string, OutcomeStats>;
  byConfidence: Record<string, OutcomeStats>;
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
  return {
    count: expectNumber(s.count, `${where}.count`),
    wins: expectNumber(s.wins, `${where}.wins`),
    losses: expectNumber(s.losses, `${where}.losses`),
    winRate: nullableNumber(s.win_rate, `${where}.win_rate`),
    averageR: nullableNumber(s.average_r, `${where}.average_r`),
    expectancy: nullableNumber(s.expectancy, `${where}.expectancy`),
    profitFactor: nullableNumber(s.profit_factor, `${where}.profit_factor`),
    noLosses:
      s.no_losses === undefined
        ? s.profit_factor === null && expectNumber(s.wins, `${where}.wins`) > 0
        : expectBoolean(s.no_losses, `${where}.no_losses`),
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
  return {
    id: typeof s.id === 'number' ? s.id : null,
    key,
    symbol: expectString(s.symbol, `${where}.symbol`),
    timeframe: expectString(s.timeframe, `${where}.timeframe`),
    direction: expectOneOf(s.direction, ['LONG', 'SHORT'], `${where}.direction`),
    status: expectString(s.status, `${where}.status`),
    // The archive calls the confidence at creation `confidence`; a live signal, `initial_confidence`.
    initialConfidence: expectNumber(
      s.initial_confidence ?? s.confidence,
      `${where}.initial_confidence`,
    ),
    entry: expectNumber(s.entry, `${where}.entry`),
    exitPrice: nullableNumber(s.exit_price, `${where}.exit_price`),
    outcomeR: nullableNumber(s.outcome_r, `${where}.outcome_r`),
    returnPct: nullableNumber(s.return_pct, `${where}.return_pct`),
    closedAt: nullableTime(s.closed_at, `${where}.closed_at`),
    tickSize: optionalString(s.tick_size, `${where}.tick_size`),
  };
}

export function decodePerformance(json: unknown): Performance {
  const p = expectObject(json, 'performance');
  return {
    overall: decodeStats(p.overall, 'performance.overall'),
    byDirection: decodeStatsRecord(p.by_direction, 'performance.by_direction'),
    byTimeframe: decodeStatsRecord(p.by_timeframe, 'performance.by_timeframe'),
    byConfidence: decodeStatsRecord(p.by_confidence, 'performance.by_confidence'),
    calibration: expectArray(p.calibration, 'performance.calibration').map((item, i) => {
      const where = `performance.calibration[${i}]`;
      const point = expectObject(item, where);
      return {
        bucket: expectString(point.bucket, `${where}.bucket`),
        meanConfidence: expectNumber(point.mean_confidence, `${where}.mean_confidence`),
        hitRate: expectNumber(point.hit_rate, `${where}.hit_rate`),
        count: expectNumber(point.count, `${where}.count`),
      };
    }),
    equityCurve: expectArray(p.equity_curve, 'performance.equity_curve').map((item, i) => {
      const where = `performance.equity_curve[${i}]`;
      const point = expectObject(item, where);
      return {
        at: expectTime(point.at, `${where}.at`),
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
