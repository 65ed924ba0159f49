import type { Direction } from '@/features/signals/api/signal';

/** The engine's eight conditions: a short label, and what held for each direction. */
export const CONDITIONS: Record<string, { label: string; long: string; short: string }> = {
  macd_cross: {
    label: 'MACD cross',
    long: 'MACD crossed above its signal line recently and is still above it',
    short: 'MACD crossed below its signal line recently and is still below it',
  },
  rsi_band: {
    label: 'RSI in band',
    long: 'RSI between 50 and 70: momentum up, not yet overbought',
    short: 'RSI between 30 and 50: momentum down, not yet oversold',
  },
  trend_ema50: {
    label: 'Price vs EMA 50',
    long: 'Close above the 50 EMA: medium-term uptrend',
    short: 'Close below the 50 EMA: medium-term downtrend',
  },
  ema_fast_slow: {
    label: 'EMA 9 / 21',
    long: 'EMA 9 above EMA 21: short-term momentum up',
    short: 'EMA 9 below EMA 21: short-term momentum down',
  },
  adx_trend: {
    label: 'ADX trend',
    long: 'ADX of 20 or more with +DI above -DI: a trend, pointing up',
    short: 'ADX of 20 or more with -DI above +DI: a trend, pointing down',
  },
  trend_ema200: {
    label: 'Price vs EMA 200',
    long: 'Close above the 200 EMA: long-term uptrend',
    short: 'Close below the 200 EMA: long-term downtrend',
  },
  heikin_ashi: {
    label: 'Heikin Ashi',
    long: 'The last Heikin Ashi candle is bullish',
    short: 'The last Heikin Ashi candle is bearish',
  },
  bollinger_volume: {
    label: 'Bollinger + volume',
    long: 'Close in the upper half of the Bollinger bands on above-average volume',
    short: 'Close in the lower half of the Bollinger bands on above-average volume',
  },
};

/** A human label; unknown names are shown as words rather than hidden. */
export function conditionLabel(name: string): string {
  return CONDITIONS[name]?.label ?? name.replace(/_/g, ' ');
}

export function conditionDescription(name: string, direction: Direction): string | null {
  const condition = CONDITIONS[name];
  if (!condition) return null;
  return direction === 'LONG' ? condition.long : condition.short;
}

export const STATUS_LABELS: Record<string, string> = {
  active: 'Active',
  closed: 'All ended',
  tp_hit: 'Take-profit hit',
  sl_hit: 'Stop-loss hit',
  expired: 'Expired',
  invalidated: 'Invalidated',
};
