/**
 * The backtest form's values, the request they make, and the API's 400 read back onto the fields.
 * Pure.
 */
import type { BacktestRequest } from '@/features/backtest/api/mutations';
import { HttpError } from '@/lib/api';
import { formError } from '@/lib/form-errors';

export interface FormValues {
  kind: 'scanner' | 'strategy';
  strategyId: number | null;
  version: number | null;
  symbols: string[];
  timeframe: string;
  start: string;
  end: string;
  makerFee: string;
  takerFee: string;
  slippageBps: string;
  fundingRate8h: string;
  leverage: string;
  startingBalance: string;
}

/** The server's defaults (backend/backtest/parameters.py COSTS) and a window of the shipped data. */
export const DEFAULT_VALUES: FormValues = {
  kind: 'scanner',
  strategyId: null,
  version: null,
  symbols: [],
  timeframe: '5m',
  start: '',
  end: '',
  makerFee: '0.0002',
  takerFee: '0.0005',
  slippageBps: '0',
  fundingRate8h: '0.0001',
  leverage: '1',
  startingBalance: '10000',
};

export function requestOf(v: FormValues): BacktestRequest {
  return {
    kind: v.kind,
    symbols: v.symbols,
    timeframe: v.timeframe,
    start: v.start.trim(),
    end: v.end.trim(),
    maker_fee: v.makerFee.trim(),
    taker_fee: v.takerFee.trim(),
    slippage_bps: v.slippageBps.trim(),
    funding_rate_8h: v.fundingRate8h.trim(),
    leverage: v.leverage.trim(),
    starting_balance: v.startingBalance.trim(),
    ...(v.kind === 'strategy' && v.strategyId !== null && v.version !== null
      ? { strategy_id: v.strategyId, version: v.version }
      : {}),
  };
}

/** What the form could not send at all (the server checks the rest). */
export function missingOf(v: FormValues): string | null {
  if (v.kind === 'strategy' && (v.strategyId === null || v.version === null)) {
    return 'Choose a strategy and one of its saved versions.';
  }
  if (v.symbols.length === 0) return 'Choose at least one symbol.';
  if (v.start.trim() === '' || v.end.trim() === '')
    return 'Give the window: a start and an end (UTC).';
  return null;
}

/** Request field -> form field, for the server's per-field messages. */
const FIELDS: Record<string, keyof FormValues> = {
  kind: 'kind',
  symbols: 'symbols',
  timeframe: 'timeframe',
  start: 'start',
  end: 'end',
  maker_fee: 'makerFee',
  taker_fee: 'takerFee',
  slippage_bps: 'slippageBps',
  funding_rate_8h: 'fundingRate8h',
  leverage: 'leverage',
  starting_balance: 'startingBalance',
  strategy_version_id: 'version',
  version: 'version',
};

export interface BacktestFormError {
  message: string | null;
  fields: Partial<Record<keyof FormValues, string>>;
}

/** A 400's `errors` (field -> message) on the form's fields; anything else above the button. */
export function backtestFormError(error: unknown): BacktestFormError {
  if (
    error instanceof HttpError &&
    error.status === 400 &&
    typeof error.body === 'object' &&
    error.body
  ) {
    const errors = (error.body as { errors?: unknown }).errors;
    if (typeof errors === 'object' && errors !== null) {
      const fields: BacktestFormError['fields'] = {};
      const general: string[] = [];
      for (const [key, value] of Object.entries(errors as Record<string, unknown>)) {
        const text = typeof value === 'string' ? value : JSON.stringify(value);
        const field = FIELDS[key];
        if (field) fields[field] = text;
        else general.push(`${key.replace(/_/g, ' ')}: ${text}`);
      }
      return { message: general.length > 0 ? general.join(' ') : null, fields };
    }
  }
  const { message } = formError(error, []);
  return { message, fields: {} };
}
