/** The order ticket's checks before anything is sent (the API checks again and has the last word). */
import type { OrderTicket } from '@/features/trading/api/mutations';

export interface TicketForm {
  symbol: string;
  direction: 'LONG' | 'SHORT';
  type: 'MARKET' | 'LIMIT';
  sizeBy: 'quantity' | 'percent';
  size: string;
  price: string;
  leverage: string;
  stopLoss: string;
  takeProfit: string;
}

const DECIMAL = /^\d+(\.\d+)?$/;

/** The ticket as the API takes it, or the field errors. */
export function ticketToOrder(
  account: number,
  form: TicketForm,
): { order: OrderTicket; errors: null } | { order: null; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const symbol = form.symbol.trim().toUpperCase();
  if (!/^[A-Z0-9]{2,20}$/.test(symbol)) errors.symbol = 'A symbol such as BTCUSDT.';
  if (!DECIMAL.test(form.size) || Number(form.size) <= 0) {
    errors.size = form.sizeBy === 'percent' ? 'A percent above 0.' : 'A quantity above 0.';
  } else if (form.sizeBy === 'percent' && Number(form.size) > 100) {
    errors.size = 'At most 100 %.';
  }
  if (form.type === 'LIMIT' && (!DECIMAL.test(form.price) || Number(form.price) <= 0)) {
    errors.price = 'A LIMIT order needs a price above 0.';
  }
  const leverage = form.leverage === '' ? undefined : Number(form.leverage);
  if (leverage !== undefined && (!Number.isInteger(leverage) || leverage < 1 || leverage > 125)) {
    errors.leverage = 'Leverage is a whole number from 1 to 125.';
  }
  for (const [key, value] of [
    ['stopLoss', form.stopLoss],
    ['takeProfit', form.takeProfit],
  ] as const) {
    if (value !== '' && (!DECIMAL.test(value) || Number(value) <= 0))
      errors[key] = 'A price above 0, or empty.';
  }
  const reference = form.type === 'LIMIT' ? Number(form.price) : null;
  if (reference && form.stopLoss && !errors.stopLoss) {
    const wrongSide =
      form.direction === 'LONG'
        ? Number(form.stopLoss) >= reference
        : Number(form.stopLoss) <= reference;
    if (wrongSide)
      errors.stopLoss = `A ${form.direction} stop-loss goes ${form.direction === 'LONG' ? 'below' : 'above'} the price.`;
  }
  if (Object.keys(errors).length > 0) return { order: null, errors };
  const order: OrderTicket = { account, symbol, direction: form.direction, type: form.type };
  if (form.sizeBy === 'percent') order.percent_of_balance = form.size;
  else order.quantity = form.size;
  if (form.type === 'LIMIT') order.price = form.price;
  if (leverage !== undefined) order.leverage = leverage;
  if (form.stopLoss) order.stop_loss_price = form.stopLoss;
  if (form.takeProfit) order.take_profit_price = form.takeProfit;
  return { order, errors: null };
}

/** API field names -> ticket field names, for the 400s the API sends. */
export const API_FIELDS: Record<string, keyof TicketForm> = {
  symbol: 'symbol',
  quantity: 'size',
  percent_of_balance: 'size',
  price: 'price',
  leverage: 'leverage',
  stop_loss_price: 'stopLoss',
  take_profit_price: 'takeProfit',
};
