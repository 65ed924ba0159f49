import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';

import { subscribeSession, USER_QUERY_SCOPE } from '@/lib/session';

/**
 * Drops every cached query of the user's own data (keys under `USER_QUERY_SCOPE`) the moment the
 * session changes hands (sign-in, sign-out, a session that ended), before anything renders with
 * it: the next user never sees the previous one's accounts, even for a frame.
 */
export function useUserCacheScope() {
  const queryClient = useQueryClient();
  useEffect(
    () =>
      subscribeSession(() => {
        queryClient.removeQueries({ queryKey: [USER_QUERY_SCOPE] });
      }),
    [queryClient],
  );
}
