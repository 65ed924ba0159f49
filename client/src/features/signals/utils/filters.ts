/**
 * The dashboard's filters and sort order, and their place in the URL's query string, so a view
 * can be bookmarked or shared. Only values that differ from the defaults are written; anything
 * unreadable in a URL falls back to its default rather than failing.
 */
import {
  STATUS_SCOPES,
  TIMEFRAMES,
  type Direction,
  type StatusScope,
  type Timeframe,
} from '@/features/signals/api/signal';
import type { SignalEntry } from '@/features/signals/stores/signal-store';

export const SORT_ORDERS = ['score', 'latest', 'symbol'] as const;
export type SortOrder = (typeof SORT_ORDERS)[number];

export interface SignalFilters {
  direction: 'ALL' | Direction;
  timeframe: 'all' | Timeframe;
  /** Score 0-100: signals below it are hidden. */
  minScore: number;
  status: StatusScope;
  /** Case-insensitive symbol substring. */
  search: string;
  sort: SortOrder;
}

export const DEFAULT_FILTERS: SignalFilters = {
  direction: 'ALL',
  timeframe: 'all',
  minScore: 0,
  status: 'active',
  search: '',
  sort: 'score',
};

/** Query-string names; those the API also takes have its names. */
const PARAM = {
  direction: 'direction',
  timeframe: 'timeframe',
  minScore: 'min_score',
  status: 'status',
  search: 'search',
  sort: 'sort',
} as const satisfies Record<keyof SignalFilters, string>;

function oneOf<T extends string>(value: string | null, allowed: readonly T[], fallback: T): T {
  return value !== null && (allowed as readonly string[]).includes(value) ? (value as T) : fallback;
}

export function parseFilters(params: URLSearchParams): SignalFilters {
  const score = Number(params.get(PARAM.minScore));
  return {
    direction: oneOf(params.get(PARAM.direction), ['ALL', 'LONG', 'SHORT'], 'ALL'),
    timeframe: oneOf(params.get(PARAM.timeframe), ['all', ...TIMEFRAMES], 'all'),
    minScore: Number.isFinite(score) ? Math.min(100, Math.max(0, Math.round(score))) : 0,
    status: oneOf(params.get(PARAM.status), STATUS_SCOPES, 'active'),
    search: (params.get(PARAM.search) ?? '').trim().slice(0, 30),
    sort: oneOf(params.get(PARAM.sort), SORT_ORDERS, 'score'),
  };
}

/** Writes `filters` into a copy of `params`, leaving unrelated parameters alone. */
export function writeFilters(
  filters: SignalFilters,
  params = new URLSearchParams(),
): URLSearchParams {
  const next = new URLSearchParams(params);
  for (const key of Object.keys(PARAM) as (keyof SignalFilters)[]) {
    const value = filters[key];
    if (value === DEFAULT_FILTERS[key] || value === '') next.delete(PARAM[key]);
    else next.set(PARAM[key], String(value));
  }
  return next;
}

export function matchesFilters(entry: SignalEntry, filters: SignalFilters): boolean {
  const { signal } = entry;
  if (filters.direction !== 'ALL' && signal.direction !== filters.direction) return false;
  if (filters.timeframe !== 'all' && signal.timeframe !== filters.timeframe) return false;
  if (signal.score < filters.minScore) return false;
  if (filters.search && !signal.symbol.toUpperCase().includes(filters.search.toUpperCase())) {
    return false;
  }
  return true;
}

const TIMEFRAME_RANK: Record<Timeframe, number> = { '5m': 0, '15m': 1, '1h': 2, '4h': 3 };

type Compare = (a: SignalEntry, b: SignalEntry) => number;

const bySymbol: Compare = (a, b) =>
  a.signal.symbol.localeCompare(b.signal.symbol) ||
  TIMEFRAME_RANK[a.signal.timeframe] - TIMEFRAME_RANK[b.signal.timeframe] ||
  a.signal.direction.localeCompare(b.signal.direction);

const COMPARE: Record<SortOrder, Compare> = {
  score: (a, b) => b.signal.score - a.signal.score || bySymbol(a, b),
  latest: (a, b) => b.signal.createdAt - a.signal.createdAt || bySymbol(a, b),
  symbol: bySymbol,
};

/** The entries to show, in order. Ties fall back to symbol, then id, so the order is stable. */
export function selectVisible(
  entries: Record<number, SignalEntry>,
  filters: SignalFilters,
): SignalEntry[] {
  const compare = COMPARE[filters.sort];
  return Object.values(entries)
    .filter((entry) => matchesFilters(entry, filters))
    .sort((a, b) => compare(a, b) || a.signal.id - b.signal.id);
}
