/** How each figure of a backtest's metrics is labelled and printed. Pure. */
import { formatNumber } from '@/lib/format';

export const METRIC_ROWS: readonly { key: string; label: string; unit?: '%' | 'x' }[] = [
  { key: 'trades', label: 'Trades' },
  { key: 'total_pnl', label: 'Total PnL (USDT)' },
  { key: 'return_pct', label: 'Return', unit: '%' },
  { key: 'final_equity', label: 'Final equity (USDT)' },
  { key: 'win_rate_pct', label: 'Win rate', unit: '%' },
  { key: 'expectancy', label: 'Expectancy per trade (USDT)' },
  { key: 'expectancy_pct', label: 'Expectancy per trade', unit: '%' },
  { key: 'profit_factor', label: 'Profit factor', unit: 'x' },
  { key: 'avg_win', label: 'Average win (USDT)' },
  { key: 'avg_loss', label: 'Average loss (USDT)' },
  { key: 'max_drawdown_pct', label: 'Max drawdown', unit: '%' },
  { key: 'max_drawdown', label: 'Max drawdown (USDT)' },
  { key: 'sharpe', label: 'Sharpe (annualised)' },
  { key: 'sortino', label: 'Sortino (annualised)' },
  { key: 'exposure_pct', label: 'Exposure', unit: '%' },
  { key: 'fees', label: 'Fees (USDT)' },
  { key: 'funding', label: 'Funding (USDT)' },
];

/** A figure as the tables print it; null (no value: no trade, no loss) as a dash. */
export function formatMetric(key: string, value: number | null | undefined): string {
  if (value === null || value === undefined) return '–';
  if (key === 'trades') return String(value);
  const row = METRIC_ROWS.find((r) => r.key === key);
  const text = formatNumber(value, 2);
  return row?.unit === '%' ? `${text} %` : row?.unit === 'x' ? `${text}×` : text;
}
