import { useEffect, useEffectEvent, useRef, useState } from 'react';

import {
  LiveSocket,
  type ConnectionStatus,
  type LiveSocketOptions,
  type ResyncReason,
  type SocketFrame,
} from '@/lib/ws';

export interface UseWebSocketOptions extends Omit<
  LiveSocketOptions,
  'url' | 'onFrame' | 'onResync' | 'onStatus'
> {
  onFrame: (frame: SocketFrame) => void;
  onResync?: (reason: ResyncReason) => void;
  onStatus?: (status: ConnectionStatus) => void;
}

export interface UseWebSocketResult extends ConnectionStatus {
  /** Sends `message` as JSON if the socket is open; returns whether it was sent. */
  send: (message: unknown) => boolean;
}

const INITIAL: ConnectionStatus = { state: 'connecting', attempt: 0, retryAt: null };

/**
 * Keeps a `LiveSocket` to `url` open while the component is mounted (`url` null: no socket).
 * The callbacks may change on every render; the socket is only rebuilt when `url` changes.
 */
export function useWebSocket(url: string | null, options: UseWebSocketOptions): UseWebSocketResult {
  const { onFrame, onResync, onStatus, ...settings } = options;
  const [status, setStatus] = useState<ConnectionStatus>(INITIAL);
  const socketRef = useRef<LiveSocket | null>(null);

  const handleFrame = useEffectEvent((frame: SocketFrame) => {
    onFrame(frame);
  });
  const handleResync = useEffectEvent((reason: ResyncReason) => {
    onResync?.(reason);
  });
  const handleStatus = useEffectEvent((next: ConnectionStatus) => {
    setStatus(next);
    onStatus?.(next);
  });

  // Settings are read once per connection; they are constants in practice.
  const settingsRef = useRef(settings);
  useEffect(() => {
    if (url === null) return;
    const socket = new LiveSocket({
      ...settingsRef.current,
      url,
      onFrame: handleFrame,
      onResync: handleResync,
      onStatus: handleStatus,
    });
    socketRef.current = socket;
    socket.start();
    return () => {
      socket.stop();
      socketRef.current = null;
    };
  }, [url]);

  return {
    ...status,
    send: (message) => socketRef.current?.send(message) ?? false,
  };
}
