import type { OutcomeStats } from '@/features/performance/api/getPerformance';
import { formatNumber, formatR, formatRatio } from '@/lib/format';

const NONE = '—';

export function formatWinRate(stats: OutcomeStats): string {
  return stats.winRate === null ? NONE : formatRatio(stats.winRate);
}

export function formatExpectancy(stats: OutcomeStats): string {
  return stats.expectancy === null ? NONE : formatR(stats.expectancy);
}

/** Gross wins over gross losses: infinite when nothing was lost, blank without data. */
export function formatProfitFactor(stats: OutcomeStats): string {
  if (stats.profitFactor !== null) return formatNumber(stats.profitFactor);
  return stats.noLosses ? '∞' : NONE;
}

/** Green for a positive expectancy, red for a negative one. */
export function expectancyColor(stats: OutcomeStats): string {
  if (stats.expectancy === null) return 'dimmed';
  return stats.expectancy >= 0 ? 'green' : 'red';
}
