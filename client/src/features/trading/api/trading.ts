/**
 * USD-M trading as `/api/trading/` sends it. Money stays a decimal string (exact, as the API
 * sends it); numbers are for display and sorting only.
 */
import { ResponseFormatError } from '@/lib/api';
import {
  expectArray,
  expectBoolean,
  expectNumber,
  expectObject,
  expectOneOf,
  expectString,
  nullableNumber,
  optionalString,
} from '@/lib/decode';
import { USER_QUERY_SCOPE } from '@/lib/session';

export const TRADING_PATH = '/api/trading/';
export const VENUES = ['sandbox', 'testnet', 'live'] as const;
export type Venue = (typeof VENUES)[number];

export interface TradingAccount {
  id: number;
  label: string;
  venue: Venue;
  isPaper: boolean;
  hedgeMode: boolean;
  paused: boolean;
  pauseReason: string;
}

export interface Balance {
  asset: string;
  walletBalance: string;
  availableBalance: string;
  unrealizedPnl: string;
}

export interface TagShare {
  tag: string;
  quantity: string;
  entryPrice: string;
  realizedPnl: string;
}

export interface Position {
  symbol: string;
  positionSide: 'BOTH' | 'LONG' | 'SHORT';
  amount: string;
  entryPrice: string;
  markPrice: string;
  unrealizedPnl: string;
  leverage: number;
  marginType: string;
  liquidationPrice: string;
  tags: TagShare[];
}

export interface RiskLimits {
  maxLeverage: number;
  maxPositionNotional: string;
  maxTotalNotional: string;
  maxOpenPositions: number;
  maxOrdersPerMinute: number;
  dailyLossLimit: string | null;
}

export interface ReconciliationRun {
  id: number;
  trigger: string;
  status: string;
  startedAt: string | null;
  finishedAt: string | null;
  diffs: {
    kind: string;
    key: string;
    field: string;
    platform: string | null;
    exchange: string | null;
  }[];
  error: string;
}

export interface TradingAccountDetail {
  account: TradingAccount;
  balances: Balance[];
  positions: Position[];
  risk: RiskLimits;
  openOrders: number;
  lastReconciliation: ReconciliationRun | null;
}

export interface Fill {
  tradeId: number;
  price: string;
  quantity: string;
  commission: string;
  commissionAsset: string;
  realizedPnl: string;
  maker: boolean;
  timeMs: number;
}

export interface Order {
  id: number;
  accountId: number;
  clientOrderId: string;
  symbol: string;
  side: 'BUY' | 'SELL';
  positionSide: string;
  type: string;
  quantity: string | null;
  price: string | null;
  stopPrice: string | null;
  status: string;
  executedQty: string;
  avgPrice: string | null;
  tag: string;
  source: string;
  isAlgo: boolean;
  errorMessage: string;
  createdAt: string | null;
  fills: Fill[] | null;
}

export const OPEN_STATUSES = ['PENDING', 'SENDING', 'UNKNOWN', 'NEW', 'PARTIALLY_FILLED'];

function decimal(value: unknown, where: string): string {
  const text = expectString(value, where);
  if (!Number.isFinite(Number(text))) throw new ResponseFormatError(`${where}: not a decimal`);
  return text;
}

function nullableDecimal(value: unknown, where: string): string | null {
  return value === null || value === undefined ? null : decimal(value, where);
}

export function decodeTradingAccount(json: unknown, where = 'trading account'): TradingAccount {
  const a = expectObject(json, where);
  return {
    id: expectNumber(a.id, `${where}.id`),
    label: expectString(a.label, `${where}.label`),
    venue: expectOneOf(a.venue, VENUES, `${where}.venue`),
    isPaper: expectBoolean(a.is_paper, `${where}.is_paper`),
    hedgeMode: expectBoolean(a.hedge_mode, `${where}.hedge_mode`),
    paused: expectBoolean(a.paused, `${where}.paused`),
    pauseReason: expectString(a.pause_reason, `${where}.pause_reason`),
  };
}

export function decodeTradingAccounts(json: unknown): TradingAccount[] {
  return expectArray(json, 'trading accounts').map((item, i) =>
    decodeTradingAccount(item, `trading accounts[${i}]`),
  );
}

export function decodeBalance(json: unknown, where = 'balance'): Balance {
  const b = expectObject(json, where);
  return {
    asset: expectString(b.asset, `${where}.asset`),
    walletBalance: decimal(b.wallet_balance, `${where}.wallet_balance`),
    availableBalance: decimal(b.available_balance, `${where}.available_balance`),
    unrealizedPnl: decimal(b.unrealized_pnl, `${where}.unrealized_pnl`),
  };
}

export function decodePosition(json: unknown, where = 'position'): Position {
  const p = expectObject(json, where);
  const tags = Array.isArray(p.tags) ? p.tags : [];
  return {
    symbol: expectString(p.symbol, `${where}.symbol`),
    positionSide: expectOneOf(p.position_side, ['BOTH', 'LONG', 'SHORT'], `${where}.position_side`),
    amount: decimal(p.amount, `${where}.amount`),
    entryPrice: decimal(p.entry_price, `${where}.entry_price`),
    markPrice: decimal(p.mark_price, `${where}.mark_price`),
    unrealizedPnl: decimal(p.unrealized_pnl, `${where}.unrealized_pnl`),
    leverage: expectNumber(p.leverage, `${where}.leverage`),
    marginType: expectString(p.margin_type, `${where}.margin_type`),
    liquidationPrice: decimal(p.liquidation_price, `${where}.liquidation_price`),
    tags: tags.map((item, i) => {
      const t = expectObject(item, `${where}.tags[${i}]`);
      return {
        tag: expectString(t.tag, `${where}.tags[${i}].tag`),
        quantity: decimal(t.quantity, `${where}.tags[${i}].quantity`),
        entryPrice: decimal(t.entry_price, `${where}.tags[${i}].entry_price`),
        realizedPnl: decimal(t.realized_pnl, `${where}.tags[${i}].realized_pnl`),
      };
    }),
  };
}

export function decodeRisk(json: unknown, where = 'risk'): RiskLimits {
  const r = expectObject(json, where);
  return {
    maxLeverage: expectNumber(r.max_leverage, `${where}.max_leverage`),
    maxPositionNotional: decimal(r.max_position_notional, `${where}.max_position_notional`),
    maxTotalNotional: decimal(r.max_total_notional, `${where}.max_total_notional`),
    maxOpenPositions: expectNumber(r.max_open_positions, `${where}.max_open_positions`),
    maxOrdersPerMinute: expectNumber(r.max_orders_per_minute, `${where}.max_orders_per_minute`),
    dailyLossLimit: nullableDecimal(r.daily_loss_limit, `${where}.daily_loss_limit`),
  };
}

export function decodeRun(json: unknown, where = 'reconciliation run'): ReconciliationRun {
  const r = expectObject(json, where);
  return {
    id: expectNumber(r.id, `${where}.id`),
    trigger: expectString(r.trigger, `${where}.trigger`),
    status: expectString(r.status, `${where}.status`),
    startedAt: optionalString(r.started_at, `${where}.started_at`),
    finishedAt: optionalString(r.finished_at, `${where}.finished_at`),
    diffs: Array.isArray(r.diffs) ? (r.diffs as ReconciliationRun['diffs']) : [],
    error: typeof r.error === 'string' ? r.error : '',
  };
}

export function decodeAccountDetail(json: unknown): TradingAccountDetail {
  const d = expectObject(json, 'trading account detail');
  return {
    account: decodeTradingAccount(d.account),
    balances: expectArray(d.balances, 'balances').map((b, i) => decodeBalance(b, `balances[${i}]`)),
    positions: expectArray(d.positions, 'positions').map((p, i) =>
      decodePosition(p, `positions[${i}]`),
    ),
    risk: decodeRisk(d.risk),
    openOrders: expectNumber(d.open_orders, 'open_orders'),
    lastReconciliation: d.last_reconciliation ? decodeRun(d.last_reconciliation) : null,
  };
}

export function decodeFill(json: unknown, where = 'fill'): Fill {
  const f = expectObject(json, where);
  return {
    tradeId: expectNumber(f.trade_id, `${where}.trade_id`),
    price: decimal(f.price, `${where}.price`),
    quantity: decimal(f.quantity, `${where}.quantity`),
    commission: decimal(f.commission, `${where}.commission`),
    commissionAsset: expectString(f.commission_asset, `${where}.commission_asset`),
    realizedPnl: decimal(f.realized_pnl, `${where}.realized_pnl`),
    maker: expectBoolean(f.maker, `${where}.maker`),
    timeMs: expectNumber(f.time_ms, `${where}.time_ms`),
  };
}

export function decodeOrder(json: unknown, where = 'order'): Order {
  const o = expectObject(json, where);
  return {
    id: expectNumber(o.id, `${where}.id`),
    accountId: expectNumber(o.account_id, `${where}.account_id`),
    clientOrderId: expectString(o.client_order_id, `${where}.client_order_id`),
    symbol: expectString(o.symbol, `${where}.symbol`),
    side: expectOneOf(o.side, ['BUY', 'SELL'], `${where}.side`),
    positionSide: expectString(o.position_side, `${where}.position_side`),
    type: expectString(o.type, `${where}.type`),
    quantity: nullableDecimal(o.quantity, `${where}.quantity`),
    price: nullableDecimal(o.price, `${where}.price`),
    stopPrice: nullableDecimal(o.stop_price, `${where}.stop_price`),
    status: expectString(o.status, `${where}.status`),
    executedQty: decimal(o.executed_qty, `${where}.executed_qty`),
    avgPrice: nullableDecimal(o.avg_price, `${where}.avg_price`),
    tag: expectString(o.tag, `${where}.tag`),
    source: expectString(o.source, `${where}.source`),
    isAlgo: expectBoolean(o.is_algo, `${where}.is_algo`),
    errorMessage: typeof o.error_message === 'string' ? o.error_message : '',
    createdAt: optionalString(o.created_at, `${where}.created_at`),
    fills: Array.isArray(o.fills)
      ? o.fills.map((f, i) => decodeFill(f, `${where}.fills[${i}]`))
      : null,
  };
}

export function decodeOrderPage(json: unknown): { count: number; results: Order[] } {
  const page = expectObject(json, 'orders');
  return {
    count: nullableNumber(page.count, 'orders.count') ?? 0,
    results: expectArray(page.results, 'orders.results').map((o, i) =>
      decodeOrder(o, `orders.results[${i}]`),
    ),
  };
}

export function decodeRunPage(json: unknown): { count: number; results: ReconciliationRun[] } {
  const page = expectObject(json, 'reconciliation runs');
  return {
    count: nullableNumber(page.count, 'reconciliation runs.count') ?? 0,
    results: expectArray(page.results, 'reconciliation runs.results').map((r, i) =>
      decodeRun(r, `reconciliation runs.results[${i}]`),
    ),
  };
}

export const tradingKeys = {
  all: [USER_QUERY_SCOPE, 'trading'] as const,
  accounts: () => [...tradingKeys.all, 'accounts'] as const,
  account: (id: number) => [...tradingKeys.all, 'account', id] as const,
  orders: (id: number, open: boolean) => [...tradingKeys.all, 'orders', id, open] as const,
  order: (id: number) => [...tradingKeys.all, 'order', id] as const,
  runs: (id: number) => [...tradingKeys.all, 'runs', id] as const,
};

export const accountPath = (id: number) => `${TRADING_PATH}accounts/${id}/`;
