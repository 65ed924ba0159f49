import { describe, expect, it } from 'vitest';

import type { SignalEntry } from '@/features/signals/stores/signal-store';
import {
  DEFAULT_FILTERS,
  parseFilters,
  selectVisible,
  writeFilters,
  type SignalFilters,
} from '@/features/signals/utils/filters';
import { makeSignal, type SignalJson } from '@/testing/factories';

const params = (query: string) => new URLSearchParams(query);

function entries(...signals: SignalJson[]): Record<number, SignalEntry> {
  return Object.fromEntries(
    signals.map((json) => {
      const signal = makeSignal(json);
      return [signal.id, { signal, anim: 'none', rev: 0, touchedAt: 0, exitAt: null }];
    }),
  );
}

describe('filters in the query string', () => {
  it('reads defaults from an empty query and writes nothing for them', () => {
    expect(parseFilters(params(''))).toEqual(DEFAULT_FILTERS);
    expect(writeFilters(DEFAULT_FILTERS).toString()).toBe('');
  });

  it('round-trips every filter', () => {
    const filters: SignalFilters = {
      direction: 'SHORT',
      timeframe: '1h',
      minScore: 80,
      status: 'tp_hit',
      search: 'eth',
      sort: 'latest',
    };
    const query = writeFilters(filters).toString();
    expect(query).toBe(
      'direction=SHORT&timeframe=1h&min_score=80&status=tp_hit&search=eth&sort=latest',
    );
    expect(parseFilters(params(query))).toEqual(filters);
  });

  it('keeps parameters it does not own and drops those set back to default', () => {
    const current = params('bench=1&direction=LONG');
    const next = writeFilters({ ...DEFAULT_FILTERS, sort: 'symbol' }, current);
    expect(next.toString()).toBe('bench=1&sort=symbol');
  });

  it('falls back to defaults on values it cannot read', () => {
    expect(
      parseFilters(params('direction=UP&timeframe=3m&min_score=abc&status=open&sort=random')),
    ).toEqual(DEFAULT_FILTERS);
    expect(parseFilters(params('min_score=250')).minScore).toBe(100);
    expect(parseFilters(params('min_score=-3')).minScore).toBe(0);
  });
});

describe('selectVisible', () => {
  const all = entries(
    {
      id: 1,
      symbol: 'ETHUSDT',
      direction: 'SHORT',
      timeframe: '1h',
      score: 75,
      created_at: '2025-01-01T12:03:00Z',
    },
    {
      id: 2,
      symbol: 'BTCUSDT',
      direction: 'LONG',
      timeframe: '5m',
      score: 91,
      created_at: '2025-01-01T12:01:00Z',
    },
    {
      id: 3,
      symbol: 'SOLUSDT',
      direction: 'LONG',
      timeframe: '15m',
      score: 83,
      created_at: '2025-01-01T12:02:00Z',
    },
    {
      id: 4,
      symbol: 'BTCUSDT',
      direction: 'SHORT',
      timeframe: '4h',
      score: 83,
      created_at: '2025-01-01T12:04:00Z',
    },
  );
  const ids = (filters: Partial<SignalFilters>) =>
    selectVisible(all, { ...DEFAULT_FILTERS, ...filters }).map((entry) => entry.signal.id);

  it('sorts by score, ties by symbol', () => {
    expect(ids({})).toEqual([2, 4, 3, 1]);
  });

  it('sorts by latest and alphabetically', () => {
    expect(ids({ sort: 'latest' })).toEqual([4, 1, 3, 2]);
    expect(ids({ sort: 'symbol' })).toEqual([2, 4, 1, 3]);
  });

  it('filters by direction, timeframe, score and symbol', () => {
    expect(ids({ direction: 'LONG' })).toEqual([2, 3]);
    expect(ids({ timeframe: '1h' })).toEqual([1]);
    expect(ids({ minScore: 80 })).toEqual([2, 4, 3]);
    expect(ids({ search: 'btc' })).toEqual([2, 4]);
    expect(ids({ direction: 'SHORT', search: 'usdt', minScore: 80 })).toEqual([4]);
  });
});
