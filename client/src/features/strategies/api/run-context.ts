/**
 * The few reads of other endpoints the run controls and the run panels need: the user's trading
 * accounts, the symbol universe, a symbol's candles, an account's fills and its positions' shares
 * by tag. Decoded here for what this page shows (features do not share code; the app composes
 * them).
 */
import {
  expectArray,
  expectBoolean,
  expectNumber,
  expectObject,
  expectOneOf,
  expectString,
} from '@/lib/decode';

export interface AccountOption {
  id: number;
  label: string;
  venue: string;
  isPaper: boolean;
  paused: boolean;
}

export interface SymbolOption {
  symbol: string;
  inUniverse: boolean;
}

export interface Candle {
  t: number;
  o: number;
  h: number;
  l: number;
  c: number;
}

export interface RunFill {
  tradeId: number;
  orderId: number;
  symbol: string;
  side: 'BUY' | 'SELL';
  price: number;
  quantity: string;
  timeMs: number;
  tag: string;
}

/** The run's share of one of its account's positions (the account's position attributed by tag). */
export interface RunPosition {
  symbol: string;
  positionSide: string;
  /** The account's whole position on this symbol and side. */
  amount: string;
  markPrice: string;
  /** The run's part of it. */
  quantity: string;
  entryPrice: string;
}

/**
 * `GET /api/trading/accounts/<id>/`: the positions where `tag` holds a share (each position lists
 * its quantity per order tag). The rest of the answer is not this page's business.
 */
export function decodeRunPositions(json: unknown, tag: string): RunPosition[] {
  const detail = expectObject(json, 'trading account');
  return expectArray(detail.positions, 'positions').flatMap((item, i) => {
    const where = `positions[${i}]`;
    const p = expectObject(item, where);
    const tags = Array.isArray(p.tags) ? p.tags : [];
    return tags.flatMap((t, j) => {
      const share = expectObject(t, `${where}.tags[${j}]`);
      if (share.tag !== tag) return [];
      return [
        {
          symbol: expectString(p.symbol, `${where}.symbol`),
          positionSide: expectString(p.position_side, `${where}.position_side`),
          amount: expectString(p.amount, `${where}.amount`),
          markPrice: expectString(p.mark_price, `${where}.mark_price`),
          quantity: expectString(share.quantity, `${where}.tags[${j}].quantity`),
          entryPrice: expectString(share.entry_price, `${where}.tags[${j}].entry_price`),
        },
      ];
    });
  });
}

export function decodeAccountOptions(json: unknown): AccountOption[] {
  return expectArray(json, 'trading accounts').map((item, i) => {
    const where = `trading accounts[${i}]`;
    const a = expectObject(item, where);
    return {
      id: expectNumber(a.id, `${where}.id`),
      label: expectString(a.label, `${where}.label`),
      venue: expectString(a.venue, `${where}.venue`),
      isPaper: expectBoolean(a.is_paper, `${where}.is_paper`),
      paused: expectBoolean(a.paused, `${where}.paused`),
    };
  });
}

export function decodeSymbolOptions(json: unknown): SymbolOption[] {
  return expectArray(json, 'symbols').map((item, i) => {
    const s = expectObject(item, `symbols[${i}]`);
    return {
      symbol: expectString(s.symbol, `symbols[${i}].symbol`),
      inUniverse: expectBoolean(s.in_universe, `symbols[${i}].in_universe`),
    };
  });
}

export function decodeCandles(json: unknown): Candle[] {
  return expectArray(json, 'klines').map((item, i) => {
    const k = expectObject(item, `klines[${i}]`);
    return {
      t: expectNumber(k.t, `klines[${i}].t`),
      o: expectNumber(k.o, `klines[${i}].o`),
      h: expectNumber(k.h, `klines[${i}].h`),
      l: expectNumber(k.l, `klines[${i}].l`),
      c: expectNumber(k.c, `klines[${i}].c`),
    };
  });
}

export function decodeFillPage(json: unknown): RunFill[] {
  const page = expectObject(json, 'fills');
  return expectArray(page.results, 'fills.results').map((item, i) => {
    const where = `fills.results[${i}]`;
    const f = expectObject(item, where);
    return {
      tradeId: expectNumber(f.trade_id, `${where}.trade_id`),
      orderId: expectNumber(f.order_id, `${where}.order_id`),
      symbol: expectString(f.symbol, `${where}.symbol`),
      side: expectOneOf(f.side, ['BUY', 'SELL'], `${where}.side`),
      price: expectNumber(f.price, `${where}.price`),
      quantity: expectString(f.quantity, `${where}.quantity`),
      timeMs: expectNumber(f.time_ms, `${where}.time_ms`),
      tag: expectString(f.tag, `${where}.tag`),
    };
  });
}

/** Market-wide reads: not under the user's scope. */
export const marketKeys = {
  symbols: ['strategies', 'symbols'] as const,
  candles: (symbol: string, timeframe: string) =>
    ['strategies', 'candles', symbol, timeframe] as const,
};
