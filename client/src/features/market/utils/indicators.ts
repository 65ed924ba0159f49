/**
 * Chart overlays computed from the candles on screen. Same definitions as the scanner's (TA-Lib):
 * an EMA starts from the simple average of its first `period` values; Bollinger bands use the
 * population standard deviation. Arrays in, arrays out; `null` where there is not enough data yet.
 */

export function ema(values: readonly number[], period: number): (number | null)[] {
  const out: (number | null)[] = new Array<number | null>(values.length).fill(null);
  if (period < 1 || values.length < period) return out;
  const alpha = 2 / (period + 1);
  let sum = 0;
  for (let i = 0; i < period; i++) sum += values[i] ?? 0;
  let current = sum / period;
  out[period - 1] = current;
  for (let i = period; i < values.length; i++) {
    current = ((values[i] ?? 0) - current) * alpha + current;
    out[i] = current;
  }
  return out;
}

export interface Bands {
  upper: (number | null)[];
  middle: (number | null)[];
  lower: (number | null)[];
}

export function bollinger(values: readonly number[], period = 20, deviations = 2): Bands {
  const n = values.length;
  const bands: Bands = {
    upper: new Array<number | null>(n).fill(null),
    middle: new Array<number | null>(n).fill(null),
    lower: new Array<number | null>(n).fill(null),
  };
  for (let end = period - 1; end < n; end++) {
    let sum = 0;
    for (let i = end - period + 1; i <= end; i++) sum += values[i] ?? 0;
    const mean = sum / period;
    let squares = 0;
    for (let i = end - period + 1; i <= end; i++) squares += ((values[i] ?? 0) - mean) ** 2;
    const spread = deviations * Math.sqrt(squares / period);
    bands.middle[end] = mean;
    bands.upper[end] = mean + spread;
    bands.lower[end] = mean - spread;
  }
  return bands;
}
