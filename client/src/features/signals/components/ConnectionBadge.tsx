import { Badge, Tooltip } from '@mantine/core';

import { useStreamStore } from '@/features/signals/stores/stream-store';
import { useNow } from '@/hooks/useNow';
import type { ConnectionStatus } from '@/lib/ws';

const LOOK = {
  open: { color: 'green', label: 'Live' },
  connecting: { color: 'yellow', label: 'Connecting' },
  // A lost connection is red at once: the data on screen may be going stale.
  reconnecting: { color: 'red', label: 'Reconnecting' },
  closed: { color: 'red', label: 'Offline' },
} as const;

function describe({ state, attempt, retryAt }: ConnectionStatus, now: number): string {
  switch (state) {
    case 'open':
      return 'Receiving live updates';
    case 'connecting':
      return 'Opening the live connection';
    case 'reconnecting': {
      const wait = retryAt === null ? 0 : Math.max(0, Math.ceil((retryAt - now) / 1000));
      return wait > 0
        ? `Connection lost; attempt ${attempt} in ${wait} s`
        : `Connection lost; attempt ${attempt} under way`;
    }
    case 'closed':
      return navigator.onLine
        ? 'Not connected: updates are paused'
        : 'No network: reconnecting when it is back';
  }
}

/** Green while live, yellow while first connecting, red once the connection is lost or given up. */
export function ConnectionBadge() {
  const connection = useStreamStore((state) => state.connection);
  const eventCount = useStreamStore((state) => state.eventCount);
  const now = useNow();
  const { color, label } = LOOK[connection.state];
  const description = describe(connection, now);
  return (
    <Tooltip label={description}>
      <Badge
        data-testid="connection-badge"
        data-state={connection.state}
        data-color={color}
        data-events={eventCount}
        color={color}
        variant="dot"
        size="lg"
        role="status"
        aria-label={`Connection: ${label}. ${description}`}
      >
        {label}
      </Badge>
    </Tooltip>
  );
}
