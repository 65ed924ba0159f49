/** Test data in the shapes the backend sends, and decoded. */
import { decodeSignal, type Signal } from '@/features/signals/api/signal';

let nextId = 1000;

export type SignalJson = Record<string, unknown>;

/** A signal as `/api/signals/` and the socket send it (snake_case, ISO times). */
export function signalJson(overrides: SignalJson = {}): SignalJson {
  const id = (overrides.id as number | undefined) ?? nextId++;
  return {
    id,
    key: `BTCUSDT:5m:LONG:${id}`,
    symbol: 'BTCUSDT',
    timeframe: '5m',
    direction: 'LONG',
    status: 'active',
    score: 82.5,
    initial_score: 80,
    probability: { value: 0.31, low: 0.24, high: 0.38, n: 812, source: 'recorded-backtest' },
    probability_note: 'take-profit reached first by 31% of 812 5m LONG signals',
    entry: 65000.1,
    stop_loss: 64500.2,
    take_profit: 65833.3,
    reward_risk: 1.67,
    conditions: ['macd_cross', 'rsi_band', 'trend_ema50'],
    snapshot: { rsi: 61.2, adx: 27.4 },
    candle_open_time: Date.parse('2025-01-01T11:55:00Z'),
    created_at: '2025-01-01T12:00:00Z',
    updated_at: '2025-01-01T12:00:00Z',
    expires_at: '2025-01-01T13:00:00Z',
    closed_at: null,
    created_ms: Date.parse('2025-01-01T12:00:00Z'),
    expires_ms: Date.parse('2025-01-01T13:00:00Z'),
    closed_ms: null,
    close_rule: '',
    initial_stop_loss: 64500.2,
    initial_take_profit: 65833.3,
    exit_price: null,
    outcome_r: null,
    return_pct: null,
    tick_size: '0.10',
    version: 1,
    ...overrides,
  };
}

export function makeSignal(overrides: SignalJson = {}): Signal {
  return decodeSignal(signalJson(overrides));
}

/** A `/ws/signals/` frame. */
export function signalFrame(
  type: 'signal_created' | 'signal_updated' | 'signal_deleted',
  seq: number,
  signal: SignalJson,
  reason = 'tp_hit',
) {
  return {
    type,
    seq,
    ts: Date.now(),
    data: type === 'signal_deleted' ? { signal, reason } : { signal },
  };
}
