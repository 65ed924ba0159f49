import { useQueryClient } from '@tanstack/react-query';

import { applyBacktestEvent, resyncBacktests } from '@/features/backtest/utils/backtest-events';
import { useAccountSocket } from '@/features/auth/hooks/useAccountSocket';
import { useUserCacheScope } from '@/features/auth/hooks/useUserCacheScope';
import {
  applyExchangeAccountEvent,
  resyncExchangeAccounts,
} from '@/features/exchange-accounts/utils/exchange-account-events';
import { applyStrategyEvent, resyncStrategies } from '@/features/strategies/utils/run-events';
import { applyTradingEvent, resyncTrading } from '@/features/trading/utils/trading-events';

/**
 * The signed-in user's side of the app, whatever the page: the private `/ws/account/` channel,
 * whose events go to the features that own the data, and a cache that forgets a user's data when
 * the session changes hands. Renders nothing.
 */
export function AccountChannel() {
  const queryClient = useQueryClient();
  useUserCacheScope();
  useAccountSocket({
    onEvent: (frame) => {
      applyExchangeAccountEvent(queryClient, frame);
      applyTradingEvent(queryClient, frame);
      applyStrategyEvent(queryClient, frame);
      applyBacktestEvent(queryClient, frame);
    },
    onResync: () => {
      resyncExchangeAccounts(queryClient);
      resyncTrading(queryClient);
      resyncStrategies(queryClient);
      resyncBacktests(queryClient);
    },
  });
  return null;
}
