/** Confidence bands, for colour: 85+ strong, 75+ good, 70+ fair, below that weak. */
export type ConfidenceBand = 'strong' | 'good' | 'fair' | 'weak';

export function confidenceBand(confidence: number): ConfidenceBand {
  if (confidence >= 85) return 'strong';
  if (confidence >= 75) return 'good';
  if (confidence >= 70) return 'fair';
  return 'weak';
}

export const BAND_COLORS: Record<ConfidenceBand, string> = {
  strong: 'green',
  good: 'teal',
  fair: 'yellow',
  weak: 'orange',
};
