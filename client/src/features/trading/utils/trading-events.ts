import type { QueryClient } from '@tanstack/react-query';

import {
  type TradingAccountDetail,
  decodeBalance,
  decodePosition,
  tradingKeys,
} from '@/features/trading/api/trading';
import { expectArray, expectNumber, expectObject } from '@/lib/decode';
import type { SocketFrame } from '@/lib/ws';

export const TRADING_EVENTS = [
  'order_updated',
  'position_updated',
  'balance_updated',
  'reconciliation',
];

/**
 * A private event as far as trading cares. Positions and balances are written into the cached
 * account (live unrealised PnL without a refetch); orders and reconciliations refetch what they
 * touch. Returns whether the event was one of ours.
 */
export function applyTradingEvent(queryClient: QueryClient, frame: SocketFrame): boolean {
  if (frame.type === 'exchange_account_updated') {
    // Paused by the kill switch, resumed, added or removed: the switcher and the account refetch.
    void queryClient.invalidateQueries({ queryKey: tradingKeys.all });
    return true;
  }
  if (!TRADING_EVENTS.includes(frame.type)) return false;
  const data = expectObject(frame.data, frame.type);
  const accountId = expectNumber(data.account_id, `${frame.type}.account_id`);
  const key = tradingKeys.account(accountId);
  if (frame.type === 'position_updated') {
    const positions = expectArray(data.positions, 'position_updated.positions').map((p, i) =>
      decodePosition(p, `position_updated.positions[${i}]`),
    );
    queryClient.setQueryData<TradingAccountDetail>(key, (old) =>
      old ? { ...old, positions } : old,
    );
    return true;
  }
  if (frame.type === 'balance_updated') {
    const balances = expectArray(data.balances, 'balance_updated.balances').map((b, i) =>
      decodeBalance(b, `balance_updated.balances[${i}]`),
    );
    queryClient.setQueryData<TradingAccountDetail>(key, (old) =>
      old ? { ...old, balances } : old,
    );
    return true;
  }
  void queryClient.invalidateQueries({ queryKey: key });
  void queryClient.invalidateQueries({ queryKey: [...tradingKeys.all, 'orders', accountId] });
  void queryClient.invalidateQueries({ queryKey: [...tradingKeys.all, 'order'] });
  return true;
}

export function resyncTrading(queryClient: QueryClient): void {
  void queryClient.invalidateQueries({ queryKey: tradingKeys.all });
}
