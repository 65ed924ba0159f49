/** Synthetic `/ws/signals/` frames for the performance spec. */

const SYMBOLS = ['BTC', 'ETH', 'SOL', 'XRP', 'DOGE', 'ADA', 'LINK', 'AVAX', 'DOT', 'LTC'];
const TIMEFRAMES = ['5m', '15m', '1h', '4h'];
/** Far above any real id, so nothing collides with the backend's signals. */
const FIRST_ID = 900_000_000;

export function benchSignal(index: number, version = 1, score = 70 + (index % 30)) {
  const direction = index % 2 === 0 ? 'LONG' : 'SHORT';
  const sign = direction === 'LONG' ? 1 : -1;
  const entry = 100 + index;
  const now = new Date().toISOString();
  return {
    id: FIRST_ID + index,
    key: `BENCH${index}:5m:${direction}`,
    symbol: `${SYMBOLS[index % SYMBOLS.length] ?? 'X'}${index}USDT`,
    timeframe: TIMEFRAMES[index % TIMEFRAMES.length],
    direction,
    status: 'active',
    score,
    initial_score: 70 + (index % 30),
    probability: null,
    probability_note: 'not enough history',
    entry,
    stop_loss: entry - sign * 1.5,
    take_profit: entry + sign * 2.5,
    reward_risk: 1.67,
    conditions: ['macd_cross', 'rsi_band', 'trend_ema50', 'ema_fast_slow', 'adx_trend'],
    snapshot: { rsi: 60 },
    candle_open_time: Date.now() - 300_000,
    created_at: now,
    updated_at: now,
    expires_at: new Date(Date.now() + 3_600_000).toISOString(),
    closed_at: null,
    created_ms: Date.now(),
    expires_ms: Date.now() + 3_600_000,
    closed_ms: null,
    exit_price: null,
    outcome_r: null,
    return_pct: null,
    tick_size: '0.01',
    version,
  };
}

export type BenchSignal = ReturnType<typeof benchSignal>;
