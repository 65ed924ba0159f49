/**
 * The signal as the API and the socket send it, decoded into the client's shape (camelCase,
 * times as epoch ms), and the query keys every signal endpoint shares.
 */
import {
  expectNumber,
  expectObject,
  expectOneOf,
  expectString,
  expectStringArray,
  expectTime,
  nullableNumber,
  nullableTime,
  numberRecord,
  optionalString,
} from '@/lib/decode';

export const TIMEFRAMES = ['5m', '15m', '1h', '4h'] as const;
export type Timeframe = (typeof TIMEFRAMES)[number];

export const DIRECTIONS = ['LONG', 'SHORT'] as const;
export type Direction = (typeof DIRECTIONS)[number];

export const SIGNAL_STATUSES = ['active', 'invalidated', 'expired', 'tp_hit', 'sl_hit'] as const;
export type SignalStatus = (typeof SIGNAL_STATUSES)[number];

export interface Signal {
  id: number;
  key: string;
  symbol: string;
  timeframe: Timeframe;
  direction: Direction;
  status: SignalStatus;
  confidence: number;
  initialConfidence: number;
  entry: number;
  stopLoss: number;
  takeProfit: number;
  rewardRisk: number;
  conditions: string[];
  snapshot: Record<string, number>;
  /** Open time (ms) of the candle the signal was created on. */
  candleOpenTime: number;
  createdAt: number;
  updatedAt: number;
  expiresAt: number;
  closedAt: number | null;
  exitPrice: number | null;
  outcomeR: number | null;
  returnPct: number | null;
  tickSize: string | null;
  /** Grows with every change: of two copies of a signal, the higher version is the newer. */
  version: number;
}

export function decodeSignal(json: unknown, where = 'signal'): Signal {
  const s = expectObject(json, where);
  const at = (field: string) => `${where}.${field}`;
  return {
    id: expectNumber(s.id, at('id')),
    key: expectString(s.key, at('key')),
    symbol: expectString(s.symbol, at('symbol')),
    timeframe: expectOneOf(s.timeframe, TIMEFRAMES, at('timeframe')),
    direction: expectOneOf(s.direction, DIRECTIONS, at('direction')),
    status: expectOneOf(s.status, SIGNAL_STATUSES, at('status')),
    confidence: expectNumber(s.confidence, at('confidence')),
    initialConfidence: expectNumber(s.initial_confidence, at('initial_confidence')),
    entry: expectNumber(s.entry, at('entry')),
    stopLoss: expectNumber(s.stop_loss, at('stop_loss')),
    takeProfit: expectNumber(s.take_profit, at('take_profit')),
    rewardRisk: expectNumber(s.reward_risk, at('reward_risk')),
    conditions: expectStringArray(s.conditions, at('conditions')),
    snapshot: numberRecord(s.snapshot, at('snapshot')),
    candleOpenTime: expectNumber(s.candle_open_time, at('candle_open_time')),
    createdAt: expectTime(s.created_at, at('created_at')),
    updatedAt: expectTime(s.updated_at, at('updated_at')),
    expiresAt: expectTime(s.expires_at, at('expires_at')),
    closedAt: nullableTime(s.closed_at, at('closed_at')),
    exitPrice: nullableNumber(s.exit_price, at('exit_price')),
    outcomeR: nullableNumber(s.outcome_r, at('outcome_r')),
    returnPct: nullableNumber(s.return_pct, at('return_pct')),
    tickSize: optionalString(s.tick_size, at('tick_size')),
    version: expectNumber(s.version, at('version')),
  };
}

/**
 * What the dashboard lists: one status, or every ended signal (`closed`), as `?status=` takes it.
 */
export const STATUS_SCOPES = [
  'active',
  'closed',
  'tp_hit',
  'sl_hit',
  'expired',
  'invalidated',
] as const;
export type StatusScope = (typeof STATUS_SCOPES)[number];

export function matchesScope(status: SignalStatus, scope: StatusScope): boolean {
  return scope === 'closed' ? status !== 'active' : status === scope;
}

export const signalKeys = {
  all: ['signals'] as const,
  lists: () => [...signalKeys.all, 'list'] as const,
  list: (scope: StatusScope) => [...signalKeys.lists(), scope] as const,
  detail: (id: number) => [...signalKeys.all, 'detail', id] as const,
  stats: () => [...signalKeys.all, 'stats'] as const,
};
