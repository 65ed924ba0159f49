/**
 * How the calibrated take-profit probability reads: "31% (24–38%, n=812)", or "not enough
 * history" when the backend has too few past signals like this one to say.
 */
import type { Probability } from '@/features/signals/api/signal';

export const PROBABILITY_LABEL = 'P(take-profit)';

const SOURCE_LABELS: Record<Probability['source'], string> = {
  archive: 'past signals in the outcome archive',
  'recorded-backtest': 'a backtest over the shipped recorded data',
};

function pct(x: number): string {
  return `${Math.round(x * 100)}%`;
}

/** "31% (24–38%, n=812)" or "not enough history". */
export function formatProbability(probability: Probability | null): string {
  if (!probability) return 'not enough history';
  const { value, low, high, n } = probability;
  return `${pct(value)} (${Math.round(low * 100)}–${pct(high)}, n=${n})`;
}

/** A sentence for a tooltip: what the number is and where it comes from. */
export function describeProbability(probability: Probability | null, note: string): string {
  if (!probability) return note || 'Not enough history to estimate a probability.';
  return (
    `Chance that take-profit is reached before stop-loss, from ${SOURCE_LABELS[probability.source]}: ` +
    `${note}. 90% interval ${Math.round(probability.low * 100)}–${pct(probability.high)}.`
  );
}
