import type { OutcomeStats } from '@/features/performance/api/getPerformance';
import { formatNumber, formatR, formatRatio } from '@/lib/format';

const NONE = '—';

export function formatRate(rate: number | null): string {
  return rate === null ? NONE : formatRatio(rate);
}

export function formatMaybeR(r: number | null): string {
  return r === null ? NONE : formatR(r);
}

/** Net positive R over net negative R: infinite when nothing was lost, blank without data. */
export function formatProfitFactor(stats: { profitFactor: number | null; noLosses?: boolean }) {
  if (stats.profitFactor !== null) return formatNumber(stats.profitFactor);
  return stats.noLosses ? '∞' : NONE;
}

/** Green for a positive average R, red for a negative one. */
export function rColor(r: number | null): string {
  if (r === null) return 'dimmed';
  return r >= 0 ? 'green' : 'red';
}

export function formatExcursions(stats: OutcomeStats): string {
  if (stats.meanMfeR === null || stats.meanMaeR === null) return NONE;
  return `${formatNumber(stats.meanMfeR)}R / ${formatNumber(stats.meanMaeR)}R`;
}
