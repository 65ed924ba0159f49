/**
 * Score bands, for colour: 85+ strong, 75+ good, 70+ fair, below that weak. The score is the
 * weighted share of the conditions that hold (how many rules agree), not a probability.
 */
export type ScoreBand = 'strong' | 'good' | 'fair' | 'weak';

export function scoreBand(score: number): ScoreBand {
  if (score >= 85) return 'strong';
  if (score >= 75) return 'good';
  if (score >= 70) return 'fair';
  return 'weak';
}

export const BAND_COLORS: Record<ScoreBand, string> = {
  strong: 'green',
  good: 'teal',
  fair: 'yellow',
  weak: 'orange',
};
