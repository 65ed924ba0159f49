/** The writes: add (`POST`), relabel (`PATCH`), check again (`POST .../verify/`), delete. */
import { useMutation, useQueryClient } from '@tanstack/react-query';

import {
  decodeExchangeAccount,
  EXCHANGE_ACCOUNTS_PATH,
  exchangeAccountKeys,
  exchangeAccountPath,
  type ExchangeAccount,
  type Venue,
} from '@/features/exchange-accounts/api/exchange-account';
import { api } from '@/lib/api';

export interface NewExchangeAccount {
  label: string;
  venue: Venue;
  api_key: string;
  /** Sent once, never read back. */
  api_secret: string;
  /** Required for `live`: the user confirmed that the account trades real money. */
  confirm_live: boolean;
}

export function createExchangeAccount(account: NewExchangeAccount): Promise<ExchangeAccount> {
  return api.post(EXCHANGE_ACCOUNTS_PATH, decodeExchangeAccount, { body: account });
}

export function relabelExchangeAccount(id: number, label: string): Promise<ExchangeAccount> {
  return api.patch(exchangeAccountPath(id), decodeExchangeAccount, { body: { label } });
}

export function verifyExchangeAccount(id: number): Promise<ExchangeAccount> {
  return api.post(`${exchangeAccountPath(id)}verify/`, decodeExchangeAccount);
}

export function deleteExchangeAccount(id: number): Promise<undefined> {
  return api.delete(exchangeAccountPath(id));
}

/** Every write changes the list (and a deleted paper account comes back with a new balance). */
function useInvalidatingMutation<V, R>(mutationFn: (variables: V) => Promise<R>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn,
    onSettled: () => queryClient.invalidateQueries({ queryKey: exchangeAccountKeys.all }),
  });
}

export function useCreateExchangeAccount() {
  return useInvalidatingMutation(createExchangeAccount);
}

export function useRelabelExchangeAccount() {
  return useInvalidatingMutation(({ id, label }: { id: number; label: string }) =>
    relabelExchangeAccount(id, label),
  );
}

export function useVerifyExchangeAccount() {
  return useInvalidatingMutation(verifyExchangeAccount);
}

export function useDeleteExchangeAccount() {
  return useInvalidatingMutation(deleteExchangeAccount);
}
