/**
 * `GET /api/klines/?symbol=&interval=&limit=`: candles, oldest first. The last one is usually
 * still forming; `/ws/market/` moves it live (see `useLiveKlines`).
 */
import { queryOptions } from '@tanstack/react-query';

import { api } from '@/lib/api';
import { expectArray, expectBoolean, expectNumber, expectObject } from '@/lib/decode';

export const KLINES_PATH = '/api/klines/';
export const KLINE_LIMIT = 300;

export interface Kline {
  /** Open time, epoch ms. */
  t: number;
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
  closed: boolean;
}

export function decodeKline(json: unknown, where = 'kline'): Kline {
  const k = expectObject(json, where);
  return {
    t: expectNumber(k.t, `${where}.t`),
    o: expectNumber(k.o, `${where}.o`),
    h: expectNumber(k.h, `${where}.h`),
    l: expectNumber(k.l, `${where}.l`),
    c: expectNumber(k.c, `${where}.c`),
    v: expectNumber(k.v, `${where}.v`),
    closed: expectBoolean(k.closed, `${where}.closed`),
  };
}

export function decodeKlines(json: unknown): Kline[] {
  return expectArray(json, 'klines').map((item, index) => decodeKline(item, `klines[${index}]`));
}

/**
 * `klines` with `kline` applied: the forming candle replaced, or a new one appended (dropping the
 * oldest past `KLINE_LIMIT`). Returns the same array when nothing changes.
 */
export function mergeKline(klines: Kline[], kline: Kline): Kline[] {
  const last = klines.at(-1);
  if (!last) return klines;
  if (kline.t > last.t) return [...klines.slice(klines.length >= KLINE_LIMIT ? 1 : 0), kline];
  const index = kline.t === last.t ? klines.length - 1 : klines.findIndex((k) => k.t === kline.t);
  if (index === -1) return klines;
  const next = klines.slice();
  next[index] = kline;
  return next;
}

export function getKlines(
  symbol: string,
  interval: string,
  { signal }: { signal?: AbortSignal } = {},
): Promise<Kline[]> {
  const params = new URLSearchParams({ symbol, interval, limit: String(KLINE_LIMIT) });
  return api.get(`${KLINES_PATH}?${params}`, decodeKlines, signal ? { signal } : {});
}

export const klinesKey = (symbol: string, interval: string) =>
  ['klines', symbol, interval] as const;

export function klinesQueryOptions(symbol: string, interval: string) {
  return queryOptions({
    queryKey: klinesKey(symbol, interval),
    queryFn: ({ signal }) => getKlines(symbol, interval, { signal }),
  });
}
