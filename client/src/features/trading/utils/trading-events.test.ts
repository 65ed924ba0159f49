import { QueryClient } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';

import { type TradingAccountDetail, tradingKeys } from '@/features/trading/api/trading';
import { applyTradingEvent } from '@/features/trading/utils/trading-events';

const DETAIL: TradingAccountDetail = {
  account: {
    id: 3,
    label: 'Paper',
    venue: 'sandbox',
    isPaper: true,
    hedgeMode: false,
    paused: false,
    pauseReason: '',
  },
  balances: [],
  positions: [],
  risk: {
    maxLeverage: 20,
    maxPositionNotional: '5000',
    maxTotalNotional: '20000',
    maxOpenPositions: 10,
    maxOrdersPerMinute: 60,
    dailyLossLimit: '500',
  },
  openOrders: 0,
  lastReconciliation: null,
};

const POSITION = {
  symbol: 'BTCUSDT',
  position_side: 'BOTH',
  amount: '0.01',
  entry_price: '43000',
  break_even_price: '43021.5',
  mark_price: '43100',
  unrealized_pnl: '1',
  leverage: 20,
  margin_type: 'cross',
  liquidation_price: '0',
  update_time_ms: 1,
  tags: [{ tag: 'm', quantity: '0.01', entry_price: '43000', realized_pnl: '0' }],
};

describe('applyTradingEvent', () => {
  it('writes pushed positions (live PnL) into the cached account', () => {
    const client = new QueryClient();
    client.setQueryData(tradingKeys.account(3), DETAIL);
    const handled = applyTradingEvent(client, {
      type: 'position_updated',
      data: { account_id: 3, positions: [POSITION] },
    });
    expect(handled).toBe(true);
    const detail = client.getQueryData<TradingAccountDetail>(tradingKeys.account(3));
    expect(detail?.positions[0]?.unrealizedPnl).toBe('1');
    expect(detail?.positions[0]?.tags[0]?.tag).toBe('m');
  });

  it('leaves other accounts and other events alone', () => {
    const client = new QueryClient();
    client.setQueryData(tradingKeys.account(3), DETAIL);
    applyTradingEvent(client, {
      type: 'position_updated',
      data: { account_id: 4, positions: [POSITION] },
    });
    expect(client.getQueryData<TradingAccountDetail>(tradingKeys.account(3))?.positions).toEqual(
      [],
    );
    expect(applyTradingEvent(client, { type: 'signal_created', data: {} })).toBe(false);
  });

  it('refuses a malformed event instead of caching it', () => {
    const client = new QueryClient();
    client.setQueryData(tradingKeys.account(3), DETAIL);
    expect(() =>
      applyTradingEvent(client, {
        type: 'position_updated',
        data: { account_id: 3, positions: [{ ...POSITION, amount: 'lots' }] },
      }),
    ).toThrow();
    expect(client.getQueryData<TradingAccountDetail>(tradingKeys.account(3))?.positions).toEqual(
      [],
    );
  });
});
