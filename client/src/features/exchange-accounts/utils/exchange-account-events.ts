import type { QueryClient } from '@tanstack/react-query';

import { exchangeAccountKeys } from '@/features/exchange-accounts/api/exchange-account';
import type { SocketFrame } from '@/lib/ws';

export const EXCHANGE_ACCOUNT_UPDATED = 'exchange_account_updated';

/**
 * An event of the user's private channel, as far as exchange accounts care: an account was
 * created, verified, relabelled or deleted (here or in another tab): the list is refetched.
 * Returns whether the event was one of ours.
 */
export function applyExchangeAccountEvent(queryClient: QueryClient, frame: SocketFrame): boolean {
  if (frame.type !== EXCHANGE_ACCOUNT_UPDATED) return false;
  void queryClient.invalidateQueries({ queryKey: exchangeAccountKeys.list() });
  return true;
}

/** After a reconnect or missed events: whatever changed meanwhile is refetched. */
export function resyncExchangeAccounts(queryClient: QueryClient): void {
  void queryClient.invalidateQueries({ queryKey: exchangeAccountKeys.list() });
}
