import { describe, expect, it } from 'vitest';

import { type TicketForm, ticketToOrder } from '@/features/trading/utils/ticket';

const FORM: TicketForm = {
  symbol: 'btcusdt',
  direction: 'LONG',
  type: 'MARKET',
  sizeBy: 'quantity',
  size: '0.01',
  price: '',
  leverage: '',
  stopLoss: '',
  takeProfit: '',
};

describe('ticketToOrder', () => {
  it('builds the API ticket from a market order', () => {
    expect(ticketToOrder(7, FORM)).toEqual({
      order: { account: 7, symbol: 'BTCUSDT', direction: 'LONG', type: 'MARKET', quantity: '0.01' },
      errors: null,
    });
  });

  it('sends a percent of the balance, a limit price, leverage and brackets as given', () => {
    const checked = ticketToOrder(7, {
      ...FORM,
      direction: 'SHORT',
      type: 'LIMIT',
      sizeBy: 'percent',
      size: '25',
      price: '43000.5',
      leverage: '5',
      stopLoss: '44000',
      takeProfit: '40000',
    });
    expect(checked.order).toEqual({
      account: 7,
      symbol: 'BTCUSDT',
      direction: 'SHORT',
      type: 'LIMIT',
      percent_of_balance: '25',
      price: '43000.5',
      leverage: 5,
      stop_loss_price: '44000',
      take_profit_price: '40000',
    });
  });

  it.each<[Partial<TicketForm>, string]>([
    [{ size: '' }, 'size'],
    [{ size: '-1' }, 'size'],
    [{ sizeBy: 'percent', size: '101' }, 'size'],
    [{ type: 'LIMIT', price: '' }, 'price'],
    [{ leverage: '200' }, 'leverage'],
    [{ leverage: '2.5' }, 'leverage'],
    [{ symbol: 'BTC/USDT' }, 'symbol'],
    [{ stopLoss: 'abc' }, 'stopLoss'],
    // A LONG's stop-loss above its limit price would close it at once.
    [{ type: 'LIMIT', price: '100', stopLoss: '110' }, 'stopLoss'],
  ])('refuses %o on the field %s', (change, field) => {
    const checked = ticketToOrder(7, { ...FORM, ...change });
    expect(checked.order).toBeNull();
    expect(Object.keys(checked.errors ?? {})).toContain(field);
  });
});
