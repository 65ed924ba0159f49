/**
 * `GET /api/signals/calibration/`: the out-of-sample walk-forward over the shipped recorded data
 * (thresholds chosen and probabilities fitted on recorded days 1-7, measured on days 8-14).
 */
import { queryOptions, useQuery } from '@tanstack/react-query';

import { api } from '@/lib/api';
import {
  expectArray,
  expectNumber,
  expectObject,
  expectString,
  nullableNumber,
} from '@/lib/decode';

export const CALIBRATION_PATH = '/api/signals/calibration/';

export interface WalkForwardStats {
  count: number;
  tpRate: number | null;
  profitRate: number | null;
  averageR: number | null;
  averageRGross: number | null;
  profitFactor: number | null;
}

export interface GapRow {
  bucket: string;
  /** "all" for the bucket over every timeframe and direction. */
  timeframe: string;
  direction: string;
  count: number;
  /** Mean probability shown (fitted on days 1-7), 0-1. */
  shown: number;
  /** Realised take-profit rate on days 8-14, 0-1. */
  realised: number;
  /** shown - realised, in points. */
  gap: number;
}

/** One candidate rule set of a walk-forward choice: "score ≥ 80", "without rsi_band". */
export interface ChoiceRow {
  label: string;
  chosen: boolean;
  inSample: WalkForwardStats;
  outOfSample: WalkForwardStats;
}

export interface PeriodRow {
  /** "all", or one timeframe. */
  timeframe: string;
  inSample: WalkForwardStats;
  outOfSample: WalkForwardStats;
}

export interface WalkForward {
  /** When and how the shipped prior was made. */
  generatedAt: string;
  data: string;
  /** Default rules, days 1-7 against days 8-14: per timeframe, then all together. */
  periods: PeriodRow[];
  /** Weights chosen first (null when the shipped file predates the weight search), then thresholds. */
  weights: ChoiceRow[] | null;
  thresholds: ChoiceRow[];
  gaps: GapRow[];
  bucketWidth: number;
}

function decodeStats(json: unknown, where: string): WalkForwardStats {
  const s = expectObject(json, where);
  const n = (field: string) => nullableNumber(s[field], `${where}.${field}`);
  return {
    count: expectNumber(s.count, `${where}.count`),
    tpRate: n('tp_rate'),
    profitRate: n('profit_rate'),
    averageR: n('average_r'),
    averageRGross: n('average_r_gross'),
    profitFactor: n('profit_factor'),
  };
}

function decodeChoice(
  json: unknown,
  where: string,
  label: (row: Record<string, unknown>, i: number) => string,
): ChoiceRow[] {
  const choice = expectObject(json, where);
  const chosen = choice.chosen;
  return expectArray(choice.candidates, `${where}.candidates`).map((item, i) => {
    const row = expectObject(item, `${where}.candidates[${i}]`);
    const key = row.label ?? row.threshold;
    return {
      label: label(row, i),
      chosen: key === chosen,
      inSample: decodeStats(row.in_sample, `${where}.candidates[${i}].in_sample`),
      outOfSample: decodeStats(row.out_of_sample, `${where}.candidates[${i}].out_of_sample`),
    };
  });
}

/** Null when the server ships no walk-forward (no prior file). */
export function decodeWalkForward(json: unknown): WalkForward | null {
  const body = expectObject(json, 'calibration');
  const about = expectObject(body.about, 'calibration.about');
  const oos = expectObject(body.out_of_sample, 'calibration.out_of_sample');
  if (Object.keys(oos).length === 0) return null;
  const rules = expectObject(oos.default_rules, 'out_of_sample.default_rules');
  const byTimeframe = expectObject(
    oos.default_rules_by_timeframe ?? {},
    'out_of_sample.default_rules_by_timeframe',
  );
  const period = (timeframe: string, json: unknown): PeriodRow => {
    const row = expectObject(json, `default_rules.${timeframe}`);
    return {
      timeframe,
      inSample: decodeStats(row.in_sample, `default_rules.${timeframe}.in_sample`),
      outOfSample: decodeStats(row.out_of_sample, `default_rules.${timeframe}.out_of_sample`),
    };
  };
  const threshold = expectObject(oos.threshold, 'out_of_sample.threshold');
  const calibration = expectObject(
    oos.calibration_10 ?? oos.calibration,
    'out_of_sample.calibration',
  );
  return {
    generatedAt: expectString(about.generated_at, 'about.generated_at'),
    data: expectString(about.data, 'about.data'),
    periods: [
      ...Object.entries(byTimeframe).map(([timeframe, row]) => period(timeframe, row)),
      period('all', rules),
    ],
    weights:
      oos.weights === undefined
        ? null
        : decodeChoice(oos.weights, 'out_of_sample.weights', (row, i) =>
            expectString(row.label, `weights.candidates[${i}].label`),
          ),
    thresholds: decodeChoice(
      threshold,
      'out_of_sample.threshold',
      (row, i) => `score ≥ ${expectNumber(row.threshold, `threshold.candidates[${i}].threshold`)}`,
    ),
    bucketWidth: expectNumber(calibration.bucket_width, 'calibration.bucket_width'),
    gaps: expectArray(calibration.rows, 'calibration.rows').map((item, i) => {
      const where = `calibration.rows[${i}]`;
      const row = expectObject(item, where);
      return {
        bucket: expectString(row.bucket, `${where}.bucket`),
        timeframe: expectString(row.timeframe, `${where}.timeframe`),
        direction: expectString(row.direction, `${where}.direction`),
        count: expectNumber(row.count, `${where}.count`),
        shown: expectNumber(row.shown, `${where}.shown`),
        realised: expectNumber(row.realised, `${where}.realised`),
        gap: expectNumber(row.gap, `${where}.gap`),
      };
    }),
  };
}

export function getWalkForward({ signal }: { signal?: AbortSignal } = {}) {
  return api.get(CALIBRATION_PATH, decodeWalkForward, signal ? { signal } : {});
}

export function walkForwardQueryOptions() {
  return queryOptions({
    queryKey: ['calibration', 'walk-forward'] as const,
    queryFn: ({ signal }) => getWalkForward({ signal }),
    // Shipped with the server: it changes only with a new release.
    staleTime: Infinity,
  });
}

export function useWalkForward() {
  return useQuery(walkForwardQueryOptions());
}
