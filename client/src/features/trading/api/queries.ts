/** Reads of `/api/trading/`: the user's trading accounts, one account's state, its orders. */
import { queryOptions, useQuery } from '@tanstack/react-query';

import {
  TRADING_PATH,
  accountPath,
  decodeAccountDetail,
  decodeOrder,
  decodeOrderPage,
  decodeRunPage,
  decodeTradingAccounts,
  tradingKeys,
} from '@/features/trading/api/trading';
import { api } from '@/lib/api';

export function tradingAccountsQueryOptions() {
  return queryOptions({
    queryKey: tradingKeys.accounts(),
    queryFn: ({ signal }) => api.get(`${TRADING_PATH}accounts/`, decodeTradingAccounts, { signal }),
  });
}

export function useTradingAccounts() {
  return useQuery(tradingAccountsQueryOptions());
}

export function tradingAccountQueryOptions(id: number) {
  return queryOptions({
    queryKey: tradingKeys.account(id),
    queryFn: ({ signal }) => api.get(accountPath(id), decodeAccountDetail, { signal }),
  });
}

export function useTradingAccount(id: number | null) {
  return useQuery({ ...tradingAccountQueryOptions(id ?? 0), enabled: id !== null });
}

export function ordersQueryOptions(accountId: number, open: boolean) {
  return queryOptions({
    queryKey: tradingKeys.orders(accountId, open),
    queryFn: ({ signal }) =>
      api.get(
        `${TRADING_PATH}orders/?account=${accountId}&open=${open ? 'true' : 'false'}&page_size=100`,
        decodeOrderPage,
        { signal },
      ),
  });
}

export function useOrders(accountId: number | null, open: boolean) {
  return useQuery({ ...ordersQueryOptions(accountId ?? 0, open), enabled: accountId !== null });
}

export function useOrderDetail(orderId: number | null) {
  return useQuery({
    queryKey: tradingKeys.order(orderId ?? 0),
    queryFn: ({ signal }) => api.get(`${TRADING_PATH}orders/${orderId}/`, decodeOrder, { signal }),
    enabled: orderId !== null,
  });
}

export function reconciliationRunsQueryOptions(accountId: number) {
  return queryOptions({
    queryKey: tradingKeys.runs(accountId),
    queryFn: ({ signal }) =>
      api.get(
        `${TRADING_PATH}reconciliation-runs/?account=${accountId}&page_size=20`,
        decodeRunPage,
        {
          signal,
        },
      ),
  });
}

export function useReconciliationRuns(accountId: number) {
  return useQuery(reconciliationRunsQueryOptions(accountId));
}
