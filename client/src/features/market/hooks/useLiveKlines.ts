import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';

import {
  decodeKline,
  klinesKey,
  klinesQueryOptions,
  mergeKline,
  type Kline,
} from '@/features/market/api/getKlines';
import { useWebSocket } from '@/hooks/useWebSocket';
import { wsUrl } from '@/lib/ws';

/** Polling period while the market socket is not delivering. */
export const KLINE_POLL_MS = 5_000;
/** The stream counts as live while a kline arrived this recently. */
const STREAM_STALE_MS = 15_000;

export function marketSocketPath(symbol: string, interval: string): string {
  return `/ws/market/?${new URLSearchParams({ symbol, interval })}`;
}

/**
 * Candles of `symbol`/`interval`, kept current: `/ws/market/` frames move the forming candle in
 * the query cache; while the stream is silent (not there yet, reconnecting, stalled) the REST
 * endpoint is polled every 5 s instead.
 */
export function useLiveKlines(symbol: string, interval: string) {
  const queryClient = useQueryClient();
  const [streaming, setStreaming] = useState(false);
  const lastFrameAt = useRef(0);

  const socket = useWebSocket(wsUrl(marketSocketPath(symbol, interval)), {
    onFrame: (frame) => {
      if (frame.type !== 'kline') return;
      let kline: Kline;
      try {
        kline = decodeKline(frame.data, 'kline.data');
      } catch (error) {
        console.warn('Ignoring a malformed kline frame', error);
        return;
      }
      lastFrameAt.current = Date.now();
      setStreaming(true);
      queryClient.setQueryData<Kline[]>(klinesKey(symbol, interval), (klines) =>
        klines ? mergeKline(klines, kline) : klines,
      );
    },
  });

  useEffect(() => {
    if (!streaming) return;
    const timer = setInterval(() => {
      if (Date.now() - lastFrameAt.current > STREAM_STALE_MS) setStreaming(false);
    }, STREAM_STALE_MS / 3);
    return () => {
      clearInterval(timer);
    };
  }, [streaming]);

  const live = streaming && socket.state === 'open';
  const query = useQuery({
    ...klinesQueryOptions(symbol, interval),
    refetchInterval: live ? false : KLINE_POLL_MS,
  });
  return { ...query, live };
}
