/**
 * From socket frame to screen: frames are decoded at once, queued, and applied once per animation
 * frame (a burst of 100 events costs one store update and one render), to the signal store and to
 * the TanStack Query cache (detail pages, stats, scanner status).
 */
import type { QueryClient } from '@tanstack/react-query';

import type { SignalDetail } from '@/features/signals/api/getSignal';
import {
  decodeScannerStatus,
  scannerStatusKey,
  type ScannerStatus,
} from '@/features/signals/api/getScannerStatus';
import { decodeSignal, signalKeys } from '@/features/signals/api/signal';
import { useAlertStore, type SignalAlert } from '@/features/signals/stores/alert-store';
import { useSignalStore, type SignalEvent } from '@/features/signals/stores/signal-store';
import { useStreamStore } from '@/features/signals/stores/stream-store';
import { createFrameBatcher } from '@/lib/frame-batcher';
import {
  expectNumber,
  expectObject,
  expectOneOf,
  expectString,
  optionalString,
} from '@/lib/decode';
import type { SocketFrame } from '@/lib/ws';

/** Stats are recounted on the server: ask at most this often while events stream in. */
export const STATS_REFRESH_MS = 3_000;

export type StreamMessage =
  | { type: 'signal'; event: SignalEvent }
  | { type: 'scanner_status'; status: ScannerStatus }
  | { type: 'scanner_error'; message: string }
  | { type: 'alert'; alert: SignalAlert };

/** Decodes one frame; null for frames the dashboard does not use. Throws on a malformed one. */
export function decodeStreamFrame(frame: SocketFrame): StreamMessage | null {
  switch (frame.type) {
    case 'signal_created':
    case 'signal_updated': {
      const data = expectObject(frame.data, `${frame.type}.data`);
      const signal = decodeSignal(data.signal, `${frame.type}.data.signal`);
      const kind = frame.type === 'signal_created' ? 'created' : 'updated';
      return { type: 'signal', event: { kind, signal } };
    }
    case 'signal_deleted': {
      const data = expectObject(frame.data, 'signal_deleted.data');
      const signal = decodeSignal(data.signal, 'signal_deleted.data.signal');
      const reason = optionalString(data.reason, 'signal_deleted.data.reason') ?? '';
      return { type: 'signal', event: { kind: 'deleted', signal, reason } };
    }
    case 'scanner_status':
      return { type: 'scanner_status', status: decodeScannerStatus(frame.data) };
    case 'scanner_error': {
      const data = expectObject(frame.data, 'scanner_error.data');
      return {
        type: 'scanner_error',
        message: expectString(data.message, 'scanner_error.data.message'),
      };
    }
    case 'signal_notification': {
      // A high-scoring signal: the payload carries a summary of the signal, not all of it.
      const data = expectObject(frame.data, 'signal_notification.data');
      const s = expectObject(data.signal, 'signal_notification.data.signal');
      const where = (field: string) => `signal_notification.data.signal.${field}`;
      return {
        type: 'alert',
        alert: {
          id: expectNumber(s.id, where('id')),
          symbol: expectString(s.symbol, where('symbol')),
          timeframe: expectString(s.timeframe, where('timeframe')),
          direction: expectOneOf(s.direction, ['LONG', 'SHORT'], where('direction')),
          score: expectNumber(s.score, where('score')),
          message: optionalString(data.message, 'signal_notification.data.message') ?? '',
        },
      };
    }
    default:
      return null;
  }
}

export interface SignalEventSink {
  /** Takes a frame as the socket delivered it. */
  push: (frame: SocketFrame) => void;
  /** Applies what is queued now (before a resync, so nothing queued lands after the snapshot). */
  flush: () => void;
  dispose: () => void;
}

export function createSignalEventSink(queryClient: QueryClient): SignalEventSink {
  let statsRefreshedAt = 0;
  let statsTimer: ReturnType<typeof setTimeout> | undefined;

  const refreshStats = () => {
    if (statsTimer !== undefined) return;
    const wait = Math.max(0, statsRefreshedAt + STATS_REFRESH_MS - Date.now());
    statsTimer = setTimeout(() => {
      statsTimer = undefined;
      statsRefreshedAt = Date.now();
      void queryClient.invalidateQueries({ queryKey: signalKeys.stats() });
    }, wait);
  };

  const deliver = (messages: StreamMessage[]) => {
    const events: SignalEvent[] = [];
    let scannerStatus: ScannerStatus | null = null;
    for (const message of messages) {
      if (message.type === 'signal') events.push(message.event);
      else if (message.type === 'scanner_status') scannerStatus = message.status;
      else if (message.type === 'alert') useAlertStore.getState().push(message.alert);
      else useStreamStore.getState().setScannerError(message.message);
    }
    if (scannerStatus) queryClient.setQueryData(scannerStatusKey, scannerStatus);
    if (events.length === 0) return;

    useSignalStore.getState().applyEvents(events);
    useStreamStore.getState().countEvents(events.length);
    for (const { signal } of events) {
      const key = signalKeys.detail(signal.id);
      const cached = queryClient.getQueryData<SignalDetail>(key);
      if (!cached || cached.version > signal.version) continue;
      // Show the new numbers now; the refetch brings the history entry that goes with them.
      queryClient.setQueryData<SignalDetail>(key, { ...cached, ...signal });
      void queryClient.invalidateQueries({ queryKey: key, refetchType: 'active' });
    }
    refreshStats();
  };

  const batcher = createFrameBatcher(deliver);

  return {
    push(frame) {
      let message: StreamMessage | null;
      try {
        message = decodeStreamFrame(frame);
      } catch (error) {
        console.warn('Ignoring a malformed socket frame', frame.type, error);
        return;
      }
      if (message) batcher.push(message);
    },
    flush: batcher.flush,
    dispose() {
      batcher.cancel();
      clearTimeout(statsTimer);
    },
  };
}
