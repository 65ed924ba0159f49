/**
 * Strategy runs as `/api/strategies/.../runs/` sends them (backend/strategies/api/runs.py), and
 * the query keys of everything about runs (`run-context.ts` decodes the other endpoints' data).
 */
import { strategyPath } from '@/features/strategies/api/strategies';
import {
  expectArray,
  expectNumber,
  expectObject,
  expectOneOf,
  expectString,
  expectStringArray,
  expectTime,
  nullableNumber,
  nullableTime,
  optionalString,
} from '@/lib/decode';
import { USER_QUERY_SCOPE } from '@/lib/session';

export const RUNS_PATH = '/api/strategies/runs/';
export const runPath = (id: number) => `${RUNS_PATH}${id}/`;
export const startRunPath = (strategyId: number) => `${strategyPath(strategyId)}runs/`;

export const RUN_STATUSES = ['NEW', 'RUNNING', 'PAUSED', 'STOPPED', 'ERROR'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const RUN_TRIGGERS = ['pause', 'resume', 'stop'] as const;
export type RunTrigger = (typeof RUN_TRIGGERS)[number];

export interface Run {
  id: number;
  strategy: number;
  strategyName: string;
  /** The pinned version's number. */
  version: number;
  exchangeAccount: number;
  symbols: string[];
  timeframe: string;
  status: RunStatus;
  error: string;
  /** The client order id tag of the run's orders (`s<id>`). */
  tag: string;
  createdAt: number;
  startedAt: number | null;
  stoppedAt: number | null;
}

/** USDT, decimal strings as the API sends them. */
export interface RunPnl {
  realized: string;
  unrealized: string;
  commission: string;
}

export interface RunDetail extends Run {
  pnl: RunPnl;
  trace: string;
}

export interface RunLogLine {
  /** Null for a line pushed over the socket (the event carries no id). */
  id: number | null;
  at: number;
  level: string;
  symbol: string;
  candleTime: number | null;
  message: string;
}

export interface RunDecision {
  id: number;
  symbol: string;
  /** Open time (ms) of the candle that made it. */
  candleTime: number;
  kind: string;
  /** The decision as the runtime gave it (direction, quantity, price, stop-loss, ...). */
  payload: Record<string, unknown>;
  /** Empty when its order was placed; else why not. */
  outcome: string;
  orderId: number | null;
  clientOrderId: string | null;
  orderStatus: string | null;
  at: number;
}

export function decodeRun(json: unknown, where = 'run'): Run {
  const r = expectObject(json, where);
  return {
    id: expectNumber(r.id, `${where}.id`),
    strategy: expectNumber(r.strategy, `${where}.strategy`),
    strategyName: expectString(r.strategy_name, `${where}.strategy_name`),
    version: expectNumber(r.version, `${where}.version`),
    exchangeAccount: expectNumber(r.exchange_account, `${where}.exchange_account`),
    symbols: expectStringArray(r.symbols, `${where}.symbols`),
    timeframe: expectString(r.timeframe, `${where}.timeframe`),
    status: expectOneOf(r.status, RUN_STATUSES, `${where}.status`),
    error: optionalString(r.error, `${where}.error`) ?? '',
    tag: expectString(r.tag, `${where}.tag`),
    createdAt: expectTime(r.created_at, `${where}.created_at`),
    startedAt: nullableTime(r.started_at, `${where}.started_at`),
    stoppedAt: nullableTime(r.stopped_at, `${where}.stopped_at`),
  };
}

export function decodeRuns(json: unknown): Run[] {
  return expectArray(json, 'runs').map((r, i) => decodeRun(r, `runs[${i}]`));
}

export function decodeRunDetail(json: unknown): RunDetail {
  const r = expectObject(json, 'run');
  const pnl = expectObject(r.pnl, 'run.pnl');
  return {
    ...decodeRun(r),
    pnl: {
      realized: expectString(pnl.realized, 'run.pnl.realized'),
      unrealized: expectString(pnl.unrealized, 'run.pnl.unrealized'),
      commission: expectString(pnl.commission, 'run.pnl.commission'),
    },
    trace: optionalString(r.trace, 'run.trace') ?? '',
  };
}

export function decodeLogLine(json: unknown, where = 'log'): RunLogLine {
  const l = expectObject(json, where);
  return {
    id: nullableNumber(l.id, `${where}.id`),
    at: expectTime(l.at, `${where}.at`),
    level: expectString(l.level, `${where}.level`),
    symbol: optionalString(l.symbol, `${where}.symbol`) ?? '',
    candleTime: nullableNumber(l.candle_time, `${where}.candle_time`),
    message: expectString(l.message, `${where}.message`),
  };
}

export function decodeLogLines(json: unknown): RunLogLine[] {
  return expectArray(json, 'logs').map((l, i) => decodeLogLine(l, `logs[${i}]`));
}

export function decodeDecisions(json: unknown): RunDecision[] {
  return expectArray(json, 'decisions').map((item, i) => {
    const where = `decisions[${i}]`;
    const d = expectObject(item, where);
    return {
      id: expectNumber(d.id, `${where}.id`),
      symbol: expectString(d.symbol, `${where}.symbol`),
      candleTime: expectNumber(d.candle_time, `${where}.candle_time`),
      kind: expectString(d.kind, `${where}.kind`),
      payload: expectObject(d.payload, `${where}.payload`),
      outcome: optionalString(d.outcome, `${where}.outcome`) ?? '',
      orderId: nullableNumber(d.order_id, `${where}.order_id`),
      clientOrderId: optionalString(d.client_order_id, `${where}.client_order_id`),
      orderStatus: optionalString(d.order_status, `${where}.order_status`),
      at: expectTime(d.at, `${where}.at`),
    };
  });
}

export const runKeys = {
  all: [USER_QUERY_SCOPE, 'strategy-runs'] as const,
  list: () => [...runKeys.all, 'list'] as const,
  detail: (id: number) => [...runKeys.all, 'detail', id] as const,
  logs: (id: number) => [...runKeys.all, 'logs', id] as const,
  decisions: (id: number) => [...runKeys.all, 'decisions', id] as const,
  fills: (accountId: number, symbol: string) =>
    [...runKeys.all, 'fills', accountId, symbol] as const,
  accounts: () => [...runKeys.all, 'accounts'] as const,
  positions: (accountId: number, tag: string) =>
    [...runKeys.all, 'positions', accountId, tag] as const,
};
