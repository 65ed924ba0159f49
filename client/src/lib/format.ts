/**
 * Number and time formatting shared by every page. Prices follow the symbol's tick size, so BTC
 * shows cents and a meme coin shows its eight decimals.
 */

const MAX_DECIMALS = 8;
/** Without a tick size, a price keeps this many significant digits (at least two decimals). */
const FALLBACK_SIGNIFICANT_DIGITS = 5;

/**
 * Decimals implied by a tick size string. USD-M futures write it at the symbol's price precision
 * ("0.10" -> 2, "0.0100" -> 4), so the digits as written are the answer. Spot pads every filter to
 * eight decimals ("0.01000000"); there the trailing zeros say nothing and are dropped.
 */
export function decimalsFromTickSize(tickSize: string | null | undefined): number | null {
  if (!tickSize) return null;
  const match = /^\d*(?:\.(\d+))?$/.exec(tickSize.trim());
  if (!match || !(Number(tickSize) > 0)) return null;
  let fraction = match[1] ?? '';
  if (fraction.length === 8) fraction = fraction.replace(/0+$/, '');
  return Math.min(fraction.length, MAX_DECIMALS);
}

/** Decimals that keep `FALLBACK_SIGNIFICANT_DIGITS` significant digits of `price`. */
export function decimalsFromMagnitude(price: number): number {
  if (!Number.isFinite(price) || price === 0) return 2;
  const integerDigits = Math.floor(Math.log10(Math.abs(price))) + 1;
  return Math.min(MAX_DECIMALS, Math.max(2, FALLBACK_SIGNIFICANT_DIGITS - integerDigits));
}

export function priceDecimals(price: number, tickSize: string | null | undefined): number {
  return decimalsFromTickSize(tickSize) ?? decimalsFromMagnitude(price);
}

const formatters = new Map<string, Intl.NumberFormat>();

/** Cached: building an `Intl.NumberFormat` costs far more than using one, and 500 cards format. */
function numberFormat(minDecimals: number, maxDecimals: number, signed = false) {
  const key = `${minDecimals}:${maxDecimals}:${signed}`;
  let format = formatters.get(key);
  if (!format) {
    format = new Intl.NumberFormat('en-US', {
      minimumFractionDigits: minDecimals,
      maximumFractionDigits: maxDecimals,
      ...(signed ? { signDisplay: 'exceptZero' } : {}),
    });
    formatters.set(key, format);
  }
  return format;
}

export function formatPrice(price: number, tickSize?: string | null): string {
  const decimals = priceDecimals(price, tickSize);
  return numberFormat(decimals, decimals).format(price);
}

export function formatNumber(value: number, decimals = 2): string {
  return numberFormat(decimals, decimals).format(value);
}

/** A percentage of `value` in percent units: 1.234 -> "1.23%". */
export function formatPercent(value: number, { decimals = 2, signed = false } = {}): string {
  return `${numberFormat(decimals, decimals, signed).format(value)}%`;
}

/** A 0-1 ratio as a percentage: 0.5612 -> "56.1%". */
export function formatRatio(ratio: number, decimals = 1): string {
  return formatPercent(ratio * 100, { decimals });
}

/** Signed distance from `from` to `to` in percent of `from`. */
export function percentChange(from: number, to: number): number {
  return from === 0 ? 0 : ((to - from) / from) * 100;
}

/** R multiples: 1.5 -> "+1.50R". */
export function formatR(value: number, decimals = 2): string {
  return `${numberFormat(decimals, decimals, true).format(value)}R`;
}

/** A compact age: "45s", "3m 05s", "2h 07m", "3d 4h". Negative ages (clock skew) read as "0s". */
export function formatAge(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${String(seconds % 60).padStart(2, '0')}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h ${String(minutes % 60).padStart(2, '0')}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

/** A duration in ms: 850 -> "850 ms", 12_345 -> "12.3 s". */
export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

const dateTimeFormat = new Intl.DateTimeFormat(undefined, {
  dateStyle: 'short',
  timeStyle: 'medium',
});

export function formatDateTime(ms: number): string {
  return dateTimeFormat.format(ms);
}

const timeFormat = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });

/** "14:05", in the browser's time zone (like the charts' axes). */
export function formatTime(ms: number): string {
  return timeFormat.format(ms);
}
