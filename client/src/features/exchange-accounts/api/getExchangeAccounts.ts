/** `GET /api/exchange-accounts/`: the user's accounts, the paper account among them. */
import { queryOptions, useQuery } from '@tanstack/react-query';

import {
  decodeExchangeAccounts,
  EXCHANGE_ACCOUNTS_PATH,
  exchangeAccountKeys,
  type ExchangeAccount,
} from '@/features/exchange-accounts/api/exchange-account';
import { api } from '@/lib/api';

export function getExchangeAccounts({ signal }: { signal?: AbortSignal } = {}): Promise<
  ExchangeAccount[]
> {
  return api.get(EXCHANGE_ACCOUNTS_PATH, decodeExchangeAccounts, signal ? { signal } : {});
}

export function exchangeAccountsQueryOptions() {
  return queryOptions({
    queryKey: exchangeAccountKeys.list(),
    queryFn: ({ signal }) => getExchangeAccounts({ signal }),
  });
}

export function useExchangeAccounts() {
  return useQuery(exchangeAccountsQueryOptions());
}
