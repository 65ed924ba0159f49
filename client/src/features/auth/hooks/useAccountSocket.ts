import { useEffect, useEffectEvent, useState } from 'react';

import { AccountSocket } from '@/lib/account-socket';
import { useSession } from '@/lib/session';
import type { ConnectionStatus, ResyncReason, SocketFrame } from '@/lib/ws';

export interface UseAccountSocketOptions {
  /** Every event of the user's channel (`exchange_account_updated`, `order_updated`, ...). */
  onEvent: (frame: SocketFrame) => void;
  /** The user's data may be stale (a new connection, or missed events): refetch it. */
  onResync?: (reason: ResyncReason) => void;
}

/**
 * Holds `/ws/account/` open while someone is signed in (see `lib/account-socket.ts` for the
 * authentication); a new sign-in opens a new socket, a sign-out closes it. Null while signed out.
 */
export function useAccountSocket({ onEvent, onResync }: UseAccountSocketOptions) {
  const { signedIn, generation } = useSession();
  const [status, setStatus] = useState<ConnectionStatus | null>(null);
  const handleEvent = useEffectEvent((frame: SocketFrame) => {
    onEvent(frame);
  });
  const handleResync = useEffectEvent((reason: ResyncReason) => {
    onResync?.(reason);
  });

  useEffect(() => {
    if (!signedIn) return;
    const socket = new AccountSocket({
      onEvent: handleEvent,
      onResync: handleResync,
      onStatus: setStatus,
    });
    socket.start();
    return () => {
      socket.stop();
      setStatus(null);
    };
  }, [signedIn, generation]);

  return signedIn ? status : null;
}
