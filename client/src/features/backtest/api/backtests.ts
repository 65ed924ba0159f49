/**
 * Backtests as `/api/backtests/` sends them (backend/backtest/api/views.py, services.report): the
 * run (status, progress, parameters), its results once DONE (metrics, equity curve, trades, the
 * figures by symbol / direction / month), and the query keys of everything about backtests.
 */
import {
  expectArray,
  expectNumber,
  expectObject,
  expectOneOf,
  expectString,
  expectStringArray,
  expectTime,
  nullableTime,
} from '@/lib/decode';
import { USER_QUERY_SCOPE } from '@/lib/session';

export const BACKTESTS_PATH = '/api/backtests/';
export const backtestPath = (id: number) => `${BACKTESTS_PATH}${id}/`;
export const tradesCsvPath = (id: number) => `${BACKTESTS_PATH}${id}/trades.csv`;

export const BACKTEST_STATUSES = ['QUEUED', 'RUNNING', 'DONE', 'FAILED', 'CANCELED'] as const;
export type BacktestStatus = (typeof BACKTEST_STATUSES)[number];
export const FINISHED: readonly BacktestStatus[] = ['DONE', 'FAILED', 'CANCELED'];

/** Figures with no value (no trade, no loss: a profit factor of infinity) come as null. */
export type Metrics = Record<string, number | null>;

export interface Backtest {
  id: number;
  kind: 'scanner' | 'strategy';
  status: BacktestStatus;
  /** 0-100. */
  progress: number;
  symbols: string[];
  timeframe: string;
  startMs: number;
  endMs: number;
  /** The request as validated (costs as decimal strings, the strategy version id, ...). */
  parameters: Record<string, unknown>;
  error: string;
  createdAt: number;
  finishedAt: number | null;
  metrics: Metrics | null;
}

export interface Trade {
  symbol: string;
  direction: 'LONG' | 'SHORT';
  entryTime: number;
  exitTime: number;
  entryPrice: number;
  exitPrice: number;
  qty: string;
  pnl: string;
  fees: string;
  reason: string;
}

/** One group's figures (trades, win rate, PnL, ...) by symbol, direction or month ("YYYY-MM"). */
export interface BreakdownRow {
  key: string;
  figures: Metrics;
}

export interface BacktestResults {
  metrics: Metrics;
  tradesTotal: number;
  refusals: number;
  /** [time ms, equity], downsampled to at most 500 points. */
  equityCurve: [number, number][];
  /** The first 500 trades (the CSV has them all). */
  trades: Trade[];
  breakdown: Record<'symbol' | 'direction' | 'month', BreakdownRow[]>;
}

export interface BacktestDetail extends Backtest {
  results: BacktestResults | null;
}

export const backtestKeys = {
  all: [USER_QUERY_SCOPE, 'backtests'] as const,
  list: () => [...backtestKeys.all, 'list'] as const,
  detail: (id: number) => [...backtestKeys.all, 'detail', id] as const,
  candles: (id: number, symbol: string) => [...backtestKeys.all, 'candles', id, symbol] as const,
  compare: (ids: readonly number[]) => [...backtestKeys.all, 'compare', ...ids] as const,
};

function metricsOf(value: unknown, where: string): Metrics {
  const out: Metrics = {};
  for (const [key, v] of Object.entries(expectObject(value, where))) {
    out[key] = v === null ? null : expectNumber(v, `${where}.${key}`);
  }
  return out;
}

export function decodeBacktest(json: unknown, where = 'backtest'): Backtest {
  const b = expectObject(json, where);
  const parameters = expectObject(b.parameters, `${where}.parameters`);
  return {
    id: expectNumber(b.id, `${where}.id`),
    kind: expectOneOf(b.kind, ['scanner', 'strategy'], `${where}.kind`),
    status: expectOneOf(b.status, BACKTEST_STATUSES, `${where}.status`),
    progress: expectNumber(b.progress, `${where}.progress`),
    symbols: expectStringArray(parameters.symbols, `${where}.parameters.symbols`),
    timeframe: expectString(parameters.timeframe, `${where}.parameters.timeframe`),
    startMs: expectNumber(parameters.start_ms, `${where}.parameters.start_ms`),
    endMs: expectNumber(parameters.end_ms, `${where}.parameters.end_ms`),
    parameters,
    error: expectString(b.error, `${where}.error`),
    createdAt: expectTime(b.created_at, `${where}.created_at`),
    finishedAt: nullableTime(b.finished_at, `${where}.finished_at`),
    metrics:
      b.metrics === null || b.metrics === undefined
        ? null
        : metricsOf(b.metrics, `${where}.metrics`),
  };
}

export function decodeBacktests(json: unknown): Backtest[] {
  return expectArray(json, 'backtests').map((item, i) => decodeBacktest(item, `backtests[${i}]`));
}

function decodeTrade(json: unknown, where: string): Trade {
  const t = expectObject(json, where);
  return {
    symbol: expectString(t.symbol, `${where}.symbol`),
    direction: expectOneOf(t.direction, ['LONG', 'SHORT'], `${where}.direction`),
    entryTime: expectNumber(t.entry_time, `${where}.entry_time`),
    exitTime: expectNumber(t.exit_time, `${where}.exit_time`),
    entryPrice: Number(expectString(t.entry_price, `${where}.entry_price`)),
    exitPrice: Number(expectString(t.exit_price, `${where}.exit_price`)),
    qty: expectString(t.qty, `${where}.qty`),
    pnl: expectString(t.pnl, `${where}.pnl`),
    fees: expectString(t.fees, `${where}.fees`),
    reason: expectString(t.reason, `${where}.reason`),
  };
}

function decodeResults(json: unknown): BacktestResults {
  const r = expectObject(json, 'results');
  const breakdown = expectObject(r.breakdown ?? {}, 'results.breakdown');
  const rows = (name: 'symbol' | 'direction' | 'month'): BreakdownRow[] =>
    expectArray(breakdown[name] ?? [], `breakdown.${name}`).map((item, i) => {
      const { key, ...figures } = expectObject(item, `breakdown.${name}[${i}]`);
      return {
        key: expectString(key, `breakdown.${name}[${i}].key`),
        figures: metricsOf(figures, `breakdown.${name}[${i}]`),
      };
    });
  return {
    metrics: metricsOf(r.metrics, 'results.metrics'),
    tradesTotal: expectNumber(r.trades_total, 'results.trades_total'),
    refusals: expectNumber(r.refusals ?? 0, 'results.refusals'),
    equityCurve: expectArray(r.equity_curve, 'results.equity_curve').map((point, i) => {
      const [t, e] = expectArray(point, `equity_curve[${i}]`);
      return [
        expectNumber(t, `equity_curve[${i}][0]`),
        Number(expectString(e, `equity_curve[${i}][1]`)),
      ];
    }),
    trades: expectArray(r.trades, 'results.trades').map((t, i) => decodeTrade(t, `trades[${i}]`)),
    breakdown: { symbol: rows('symbol'), direction: rows('direction'), month: rows('month') },
  };
}

export function decodeBacktestDetail(json: unknown): BacktestDetail {
  const b = expectObject(json, 'backtest');
  return {
    ...decodeBacktest(json),
    results: b.results === null || b.results === undefined ? null : decodeResults(b.results),
  };
}

export interface CompareRow {
  id: number;
  status: BacktestStatus;
  metrics: Metrics | null;
}

export function decodeCompare(json: unknown): CompareRow[] {
  return expectArray(expectObject(json, 'compare').runs, 'compare.runs').map((item, i) => {
    const r = expectObject(item, `compare.runs[${i}]`);
    return {
      id: expectNumber(r.id, `runs[${i}].id`),
      status: expectOneOf(r.status, BACKTEST_STATUSES, `runs[${i}].status`),
      metrics:
        r.metrics === null || r.metrics === undefined
          ? null
          : metricsOf(r.metrics, `runs[${i}].metrics`),
    };
  });
}

/** A stored candle of the run's window (`/api/backtests/<id>/candles/`). */
export interface Candle {
  t: number;
  o: number;
  h: number;
  l: number;
  c: number;
}

export function decodeCandles(json: unknown): Candle[] {
  return expectArray(json, 'candles').map((item, i) => {
    const k = expectObject(item, `candles[${i}]`);
    return {
      t: expectNumber(k.t, `candles[${i}].t`),
      o: expectNumber(k.o, `candles[${i}].o`),
      h: expectNumber(k.h, `candles[${i}].h`),
      l: expectNumber(k.l, `candles[${i}].l`),
      c: expectNumber(k.c, `candles[${i}].c`),
    };
  });
}
