import { QueryClient } from '@tanstack/react-query';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import type { SignalDetail } from '@/features/signals/api/getSignal';
import { scannerStatusKey, type ScannerStatus } from '@/features/signals/api/getScannerStatus';
import { signalKeys } from '@/features/signals/api/signal';
import { useSignalStore } from '@/features/signals/stores/signal-store';
import { useStreamStore } from '@/features/signals/stores/stream-store';
import {
  createSignalEventSink,
  decodeStreamFrame,
  STATS_REFRESH_MS,
} from '@/features/signals/utils/signal-events';
import { makeSignal, signalFrame, signalJson } from '@/testing/factories';
import { scannerBody } from '@/testing/mocks/signals';

describe('decodeStreamFrame', () => {
  it('reads signal events', () => {
    const created = decodeStreamFrame(signalFrame('signal_created', 1, signalJson({ id: 3 })));
    expect(created).toMatchObject({
      type: 'signal',
      event: { kind: 'created', signal: { id: 3 } },
    });
    const deleted = decodeStreamFrame(
      signalFrame('signal_deleted', 2, signalJson({ id: 3, status: 'expired' }), 'expired'),
    );
    expect(deleted).toMatchObject({ event: { kind: 'deleted', reason: 'expired' } });
  });

  it('reads scanner status and errors, and skips what the dashboard does not use', () => {
    expect(decodeStreamFrame({ type: 'scanner_status', data: scannerBody() })).toMatchObject({
      type: 'scanner_status',
      status: { state: 'idle', lastScan: { durationMs: 812.5 } },
    });
    expect(decodeStreamFrame({ type: 'scanner_error', data: { message: 'boom' } })).toEqual({
      type: 'scanner_error',
      message: 'boom',
    });
    expect(decodeStreamFrame({ type: 'system_message', data: {} })).toBeNull();
  });

  it('throws on a malformed signal, naming the field', () => {
    expect(() =>
      decodeStreamFrame(signalFrame('signal_updated', 1, signalJson({ direction: 'UP' }))),
    ).toThrow('signal_updated.data.signal.direction: expected one of LONG, SHORT');
  });
});

describe('createSignalEventSink', () => {
  let client: QueryClient;

  beforeEach(() => {
    vi.useFakeTimers({
      toFake: [
        'setTimeout',
        'clearTimeout',
        'Date',
        'requestAnimationFrame',
        'cancelAnimationFrame',
      ],
    });
    client = new QueryClient();
    useSignalStore.getState().reset();
  });

  afterEach(() => {
    vi.useRealTimers();
    useSignalStore.getState().reset();
  });

  it('applies the events of one frame together, on the next animation frame', () => {
    const sink = createSignalEventSink(client);
    sink.push(signalFrame('signal_created', 1, signalJson({ id: 1 })));
    sink.push(signalFrame('signal_created', 2, signalJson({ id: 2 })));
    expect(useSignalStore.getState().entries).toEqual({});
    vi.advanceTimersToNextFrame();
    expect(Object.keys(useSignalStore.getState().entries)).toEqual(['1', '2']);
    sink.dispose();
  });

  it('updates a cached detail page and the scanner status', () => {
    const signal = makeSignal({ id: 5, score: 80 });
    client.setQueryData<SignalDetail>(signalKeys.detail(5), { ...signal, changes: [] });
    const sink = createSignalEventSink(client);
    sink.push(signalFrame('signal_updated', 1, signalJson({ id: 5, score: 91, version: 2 })));
    sink.push({ type: 'scanner_status', seq: 2, data: scannerBody({ state: 'running' }) });
    sink.push({ type: 'scanner_error', seq: 3, data: { message: 'Binance answered 418' } });
    sink.flush();

    expect(client.getQueryData<SignalDetail>(signalKeys.detail(5))).toMatchObject({
      score: 91,
      version: 2,
      changes: [],
    });
    expect(client.getQueryData<ScannerStatus>(scannerStatusKey)?.state).toBe('running');
    expect(useStreamStore.getState().scannerError?.message).toBe('Binance answered 418');
    sink.dispose();
  });

  it('refreshes the stats at most every few seconds', () => {
    const invalidate = vi.spyOn(client, 'invalidateQueries');
    const sink = createSignalEventSink(client);
    const statsCalls = () =>
      invalidate.mock.calls.filter(([filters]) => filters?.queryKey?.[1] === 'stats').length;

    for (let i = 0; i < 20; i++) {
      sink.push(signalFrame('signal_created', i + 1, signalJson({ id: 100 + i })));
      sink.flush();
      vi.advanceTimersByTime(250);
    }
    // 5 s of events: one refresh at once, one per STATS_REFRESH_MS after.
    expect(statsCalls()).toBeLessThanOrEqual(Math.ceil(5000 / STATS_REFRESH_MS) + 1);
    expect(statsCalls()).toBeGreaterThanOrEqual(1);
    sink.dispose();
  });

  it('drops a malformed frame with a warning', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const sink = createSignalEventSink(client);
    sink.push({ type: 'signal_created', seq: 1, data: { signal: { id: 'x' } } });
    sink.flush();
    expect(warn).toHaveBeenCalledOnce();
    expect(useSignalStore.getState().entries).toEqual({});
    sink.dispose();
  });
});
