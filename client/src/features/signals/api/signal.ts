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

/**
 * The calibrated chance that take-profit is reached before stop-loss: the realised rate of past
 * signals with the same creation score, timeframe and direction (0-1), its 90% interval, how
 * many signals it rests on, and whether they come from the live outcome archive or from a
 * backtest over the shipped recorded data.
 */
export interface Probability {
  value: number;
  low: number;
  high: number;
  n: number;
  source: 'archive' | 'recorded-backtest';
}

function decodeProbability(value: unknown, where: string): Probability | null {
  if (value === null || value === undefined) return null;
  const p = expectObject(value, where);
  return {
    value: expectNumber(p.value, `${where}.value`),
    low: expectNumber(p.low, `${where}.low`),
    high: expectNumber(p.high, `${where}.high`),
    n: expectNumber(p.n, `${where}.n`),
    source: expectOneOf(p.source, ['archive', 'recorded-backtest'], `${where}.source`),
  };
}

export interface Signal {
  id: number;
  key: string;
  symbol: string;
  timeframe: Timeframe;
  direction: Direction;
  status: SignalStatus;
  /** Weighted share of the conditions that hold, 0-100: how many rules agree, not a chance. */
  score: number;
  /** The score at creation: what the probability is looked up by. */
  initialScore: number;
  probability: Probability | null;
  /** Where the probability comes from, or why there is none ("not enough history: ..."). */
  probabilityNote: string;
  entry: number;
  /** Levels in force now (trailed with the ATR). */
  stopLoss: number;
  takeProfit: number;
  /** The bracket shown at creation, which outcomes are measured on (null: not recorded). */
  initialStopLoss: number | null;
  initialTakeProfit: number | null;
  rewardRisk: number;
  conditions: string[];
  snapshot: Record<string, number>;
  /** Open time (ms) of the candle the signal was created on. */
  candleOpenTime: number;
  /** Wall clock: when the platform wrote the change (audit; not shown as signal time). */
  createdAt: number;
  updatedAt: number;
  expiresAt: number;
  closedAt: number | null;
  /** Exchange clock (the chart's): creation, expiry and close. */
  createdMs: number;
  expiresMs: number;
  closedMs: number | null;
  /** What closed it, e.g. "expired after 12 candles" (empty while active). */
  closeRule: string;
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
    score: expectNumber(s.score, at('score')),
    initialScore: expectNumber(s.initial_score, at('initial_score')),
    probability: decodeProbability(s.probability, at('probability')),
    probabilityNote: optionalString(s.probability_note, at('probability_note')) ?? '',
    entry: expectNumber(s.entry, at('entry')),
    stopLoss: expectNumber(s.stop_loss, at('stop_loss')),
    takeProfit: expectNumber(s.take_profit, at('take_profit')),
    initialStopLoss: nullableNumber(s.initial_stop_loss, at('initial_stop_loss')),
    initialTakeProfit: nullableNumber(s.initial_take_profit, at('initial_take_profit')),
    rewardRisk: expectNumber(s.reward_risk, at('reward_risk')),
    conditions: expectStringArray(s.conditions, at('conditions')),
    snapshot: numberRecord(s.snapshot, at('snapshot')),
    candleOpenTime: expectNumber(s.candle_open_time, at('candle_open_time')),
    createdAt: expectTime(s.created_at, at('created_at')),
    updatedAt: expectTime(s.updated_at, at('updated_at')),
    expiresAt: expectTime(s.expires_at, at('expires_at')),
    closedAt: nullableTime(s.closed_at, at('closed_at')),
    createdMs: expectNumber(s.created_ms, at('created_ms')),
    expiresMs: expectNumber(s.expires_ms, at('expires_ms')),
    closedMs: nullableNumber(s.closed_ms, at('closed_ms')),
    closeRule: optionalString(s.close_rule, at('close_rule')) ?? '',
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
