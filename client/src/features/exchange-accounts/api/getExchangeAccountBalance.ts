/**
 * `GET /api/exchange-accounts/{id}/balance/`: the account's USD-M wallet, read from its venue.
 * Each read spends the platform's exchange budget (and the user's 30 calls a minute), so it is
 * read on demand and kept for a while rather than polled.
 */
import { queryOptions, useQuery } from '@tanstack/react-query';

import {
  exchangeAccountKeys,
  exchangeAccountPath,
} from '@/features/exchange-accounts/api/exchange-account';
import { api } from '@/lib/api';
import { expectArray, expectNumber, expectObject, expectString } from '@/lib/decode';

export interface AssetBalance {
  asset: string;
  /** Decimal strings as the API sends them; numbers are for display only. */
  walletBalance: string;
  availableBalance: string;
  unrealizedPnl: string;
}

function decimalString(value: unknown, where: string): string {
  expectNumber(value, where); // a number, written as a string
  return expectString(value, where);
}

export function decodeBalances(json: unknown): AssetBalance[] {
  const assets = expectArray(expectObject(json, 'balance').assets, 'balance.assets');
  return assets.map((item, index) => {
    const where = `balance.assets[${index}]`;
    const asset = expectObject(item, where);
    return {
      asset: expectString(asset.asset, `${where}.asset`),
      walletBalance: decimalString(asset.wallet_balance, `${where}.wallet_balance`),
      availableBalance: decimalString(asset.available_balance, `${where}.available_balance`),
      unrealizedPnl: decimalString(asset.unrealized_pnl, `${where}.unrealized_pnl`),
    };
  });
}

export function getExchangeAccountBalance(id: number, { signal }: { signal?: AbortSignal } = {}) {
  return api.get(`${exchangeAccountPath(id)}balance/`, decodeBalances, signal ? { signal } : {});
}

export function balanceQueryOptions(id: number) {
  return queryOptions({
    queryKey: exchangeAccountKeys.balance(id),
    queryFn: ({ signal }) => getExchangeAccountBalance(id, { signal }),
    staleTime: 30_000,
    refetchOnWindowFocus: false,
  });
}

export function useExchangeAccountBalance(id: number, { enabled = true } = {}) {
  return useQuery({ ...balanceQueryOptions(id), enabled });
}
