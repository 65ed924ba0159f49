import { Outlet } from 'react-router';

import { useSignalStream } from '@/features/signals/hooks/useSignalStream';

/**
 * Holds the `/ws/signals/` connection for every page under it, so moving between the dashboard
 * and a signal keeps one socket and one live store.
 */
export function LiveSignalsLayout() {
  useSignalStream();
  return <Outlet />;
}
