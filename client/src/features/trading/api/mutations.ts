/** Writes of `/api/trading/`: the order ticket, cancel, close, kill switch, mode, reconcile. */
import { useMutation, useQueryClient } from '@tanstack/react-query';

import {
  TRADING_PATH,
  accountPath,
  decodeOrder,
  decodeRisk,
  decodeTradingAccount,
  tradingKeys,
} from '@/features/trading/api/trading';
import { api, apiRequest } from '@/lib/api';

export interface OrderTicket {
  account: number;
  symbol: string;
  direction: 'LONG' | 'SHORT';
  type: 'MARKET' | 'LIMIT';
  quantity?: string;
  percent_of_balance?: string;
  price?: string;
  leverage?: number;
  stop_loss_price?: string;
  take_profit_price?: string;
}

function useTradingMutation<TVariables, TResult>(
  send: (variables: TVariables) => Promise<TResult>,
) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: send,
    onSettled: () => queryClient.invalidateQueries({ queryKey: tradingKeys.all }),
  });
}

export function usePlaceOrder() {
  return useTradingMutation((ticket: OrderTicket) =>
    api.post(`${TRADING_PATH}orders/`, decodeOrder, { body: ticket }),
  );
}

export function useCancelOrder() {
  return useTradingMutation((orderId: number) =>
    api.post(`${TRADING_PATH}orders/${orderId}/cancel/`, decodeOrder),
  );
}

export function useClosePosition(accountId: number) {
  return useTradingMutation((leg: { symbol: string; position_side: string }) =>
    api.post(`${accountPath(accountId)}positions/close/`, decodeOrder, { body: leg }),
  );
}

export function useKillSwitch(accountId: number) {
  return useTradingMutation(() =>
    api.post(`${accountPath(accountId)}kill-switch/`, decodeTradingAccount, {
      body: { confirm: true },
    }),
  );
}

export function useResume(accountId: number) {
  return useTradingMutation(() =>
    api.post(`${accountPath(accountId)}resume/`, decodeTradingAccount),
  );
}

export function usePositionMode(accountId: number) {
  return useTradingMutation((hedge: boolean) =>
    api.post(`${accountPath(accountId)}position-mode/`, () => undefined, { body: { hedge } }),
  );
}

export function useReconcile(accountId: number) {
  return useTradingMutation(() => api.post(`${accountPath(accountId)}reconcile/`, () => undefined));
}

/** The risk limits as the API takes them (money as decimal strings; null daily loss: no limit). */
export interface RiskLimitsInput {
  max_leverage: number;
  max_position_notional: string;
  max_total_notional: string;
  max_open_positions: number;
  max_orders_per_minute: number;
  daily_loss_limit: string | null;
}

export function useUpdateRiskLimits(accountId: number) {
  return useTradingMutation((limits: RiskLimitsInput) =>
    apiRequest(`${accountPath(accountId)}risk/`, (json) => decodeRisk(json), {
      method: 'PUT',
      body: limits,
    }),
  );
}
