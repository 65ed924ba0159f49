import { act, renderHook } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { useWebSocket, type UseWebSocketOptions } from '@/hooks/useWebSocket';
import {
  backoffDelay,
  HEARTBEAT_INTERVAL_MS,
  OPEN_TIMEOUT_MS,
  PONG_TIMEOUT_MS,
  type ConnectionState,
  type SocketFrame,
} from '@/lib/ws';
import { FakeWebSocket } from '@/testing/fake-websocket';

const URL = 'ws://localhost/ws/signals/';

function setup(options: Partial<UseWebSocketOptions> = {}) {
  const onFrame = vi.fn();
  const onResync = vi.fn();
  const states: ConnectionState[] = [];
  const hook = renderHook(() =>
    useWebSocket(URL, {
      sequenced: true,
      random: () => 0.5,
      onFrame,
      onResync,
      onStatus: (status) => states.push(status.state),
      ...options,
    }),
  );
  return { hook, onFrame, onResync, states };
}

/** Runs timers up to `ms` from now inside act(). */
function advance(ms: number) {
  act(() => {
    vi.advanceTimersByTime(ms);
  });
}

function server(action: (socket: FakeWebSocket) => void, socket = FakeWebSocket.latest()) {
  act(() => {
    action(socket);
  });
  return socket;
}

beforeEach(() => {
  vi.useFakeTimers();
  FakeWebSocket.reset();
  vi.stubGlobal('WebSocket', FakeWebSocket);
});

afterEach(() => {
  vi.useRealTimers();
});

describe('backoffDelay', () => {
  it('draws uniformly below base * 2^attempt (full jitter)', () => {
    const options = { baseMs: 500, capMs: 30_000 };
    expect(backoffDelay(0, options, () => 0)).toBe(0);
    expect(backoffDelay(0, options, () => 0.5)).toBe(250);
    expect(backoffDelay(3, options, () => 0.5)).toBe(2000);
    expect(backoffDelay(3, options, () => 0.999)).toBe(3996);
  });

  it('never exceeds the cap, however many attempts failed', () => {
    const options = { baseMs: 500, capMs: 30_000 };
    for (const attempt of [6, 7, 10, 50, 1000]) {
      expect(backoffDelay(attempt, options, () => 0.999_999)).toBeLessThan(30_000);
      expect(backoffDelay(attempt, options, () => 0.5)).toBe(15_000);
    }
  });

  it('spreads real random delays over the whole window', () => {
    const delays = Array.from({ length: 500 }, () => backoffDelay(4));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...delays)).toBeLessThan(8000);
    // Full jitter, not "equal jitter": some retries come early.
    expect(delays.some((delay) => delay < 2000)).toBe(true);
  });
});

describe('useWebSocket', () => {
  it('reports connecting, then open', () => {
    const { hook } = setup();
    expect(hook.result.current.state).toBe('connecting');
    expect(FakeWebSocket.latest().url).toBe(URL);

    server((s) => {
      s.open();
    });
    expect(hook.result.current.state).toBe('open');
  });

  it('reconnects after a drop with growing, jittered delays', () => {
    const { hook, states } = setup();
    server((s) => {
      s.drop();
    });
    expect(hook.result.current.state).toBe('reconnecting');
    expect(hook.result.current.attempt).toBe(1);

    // random() = 0.5: attempt n waits half of 500 * 2^(n-1) ms.
    for (const [attempt, wait] of [
      [1, 250],
      [2, 500],
      [3, 1000],
      [4, 2000],
    ] as const) {
      expect(FakeWebSocket.instances).toHaveLength(attempt);
      advance(wait - 1);
      expect(FakeWebSocket.instances, `attempt ${attempt} not before ${wait} ms`).toHaveLength(
        attempt,
      );
      advance(1);
      expect(FakeWebSocket.instances).toHaveLength(attempt + 1);
      server((s) => {
        s.drop();
      });
    }
    expect(states.slice(0, 2)).toEqual(['connecting', 'reconnecting']);
    expect(states).not.toContain('closed');
  });

  it('caps the delay', () => {
    const { hook } = setup({ random: () => 0.999_999, backoff: { baseMs: 1000, capMs: 5000 } });
    for (let i = 0; i < 8; i++) {
      const count = FakeWebSocket.instances.length;
      server((s) => {
        s.drop();
      });
      advance(5000);
      expect(FakeWebSocket.instances.length, `retry ${i + 1} within the cap`).toBe(count + 1);
    }
    expect(hook.result.current.attempt).toBe(8);
  });

  it('starts backing off from scratch once a connection delivered a frame', () => {
    const { hook } = setup();
    server((s) => {
      s.drop();
    });
    advance(250);
    server((s) => {
      s.drop();
    });
    expect(hook.result.current.attempt).toBe(2);
    advance(500);

    server((s) => {
      s.open();
      s.receive({ type: 'welcome', ts: 1, seq: 0 });
    });
    expect(hook.result.current).toMatchObject({ state: 'open', attempt: 0 });

    server((s) => {
      s.drop();
    });
    expect(hook.result.current.attempt).toBe(1);
    advance(250);
    expect(FakeWebSocket.instances).toHaveLength(4);
  });

  it('pings every 30 s and keeps a connection that answers', () => {
    const { hook } = setup();
    const socket = server((s) => {
      s.open();
    });

    advance(HEARTBEAT_INTERVAL_MS);
    expect(socket.sentOfType('ping')).toHaveLength(1);
    server((s) => {
      s.receive({ type: 'pong', ts: 1 });
    });

    advance(HEARTBEAT_INTERVAL_MS);
    expect(socket.sentOfType('ping')).toHaveLength(2);
    server((s) => {
      s.receive({ type: 'pong', ts: 2 });
    });
    advance(PONG_TIMEOUT_MS * 2);

    expect(hook.result.current.state).toBe('open');
    expect(FakeWebSocket.instances).toHaveLength(1);
  });

  it('drops a connection whose pong does not come within 10 s, and reconnects', () => {
    const { hook } = setup();
    const socket = server((s) => {
      s.open();
    });

    advance(HEARTBEAT_INTERVAL_MS);
    expect(socket.sentOfType('ping')).toHaveLength(1);
    advance(PONG_TIMEOUT_MS - 1);
    expect(hook.result.current.state).toBe('open');

    advance(1);
    expect(socket.closedWith).toEqual({ code: 4000, reason: 'pong timeout' });
    expect(hook.result.current.state).toBe('reconnecting');

    advance(250);
    expect(FakeWebSocket.instances).toHaveLength(2);
  });

  it('gives up on a socket stuck connecting', () => {
    setup();
    advance(OPEN_TIMEOUT_MS);
    expect(FakeWebSocket.instances[0]?.closedWith?.reason).toBe('open timeout');
    advance(250);
    expect(FakeWebSocket.instances).toHaveLength(2);
  });

  it('asks for a resync on every welcome: connect, then reconnect', () => {
    const { onResync } = setup();
    server((s) => {
      s.open();
      s.receive({ type: 'welcome', ts: 1, seq: 10 });
    });
    expect(onResync).toHaveBeenLastCalledWith('connect');

    server((s) => {
      s.drop();
    });
    advance(250);
    server((s) => {
      s.open();
      s.receive({ type: 'welcome', ts: 2, seq: 14 });
    });
    expect(onResync).toHaveBeenLastCalledWith('reconnect');
    expect(onResync).toHaveBeenCalledTimes(2);
  });

  it('delivers events in sequence and resyncs on a gap', () => {
    const { onFrame, onResync } = setup();
    server((s) => {
      s.open();
      s.receive({ type: 'welcome', ts: 1, seq: 5 });
      s.receive({ type: 'signal_updated', seq: 6, data: {} });
      s.receive({ type: 'signal_updated', seq: 7, data: {} });
    });
    expect(onFrame.mock.calls.map(([frame]) => (frame as SocketFrame).seq)).toEqual([6, 7]);
    expect(onResync).toHaveBeenCalledTimes(1); // the welcome

    server((s) => {
      s.receive({ type: 'signal_created', seq: 9, data: {} });
    });
    expect(onFrame).toHaveBeenCalledTimes(3);
    expect(onResync).toHaveBeenLastCalledWith('gap');

    // A repeat of something already seen is dropped; the sequence continues from 9.
    server((s) => {
      s.receive({ type: 'signal_created', seq: 9, data: {} });
      s.receive({ type: 'signal_created', seq: 10, data: {} });
    });
    expect(onFrame).toHaveBeenCalledTimes(4);
    expect(onResync).toHaveBeenCalledTimes(2);
  });

  it('unpacks a batch into its events, in order, with the same sequence checks', () => {
    const { onFrame, onResync } = setup();
    server((s) => {
      s.open();
      s.receive({ type: 'welcome', ts: 1, seq: 5 });
      s.receive({
        type: 'batch',
        events: [
          { type: 'signal_created', seq: 6, data: { n: 1 } },
          { type: 'signal_updated', seq: 7, data: { n: 2 } },
          { type: 'signal_deleted', seq: 8, data: { n: 3 } },
        ],
      });
    });
    const frames = onFrame.mock.calls.map(([frame]) => frame as SocketFrame);
    expect(frames.map((f) => [f.type, f.seq])).toEqual([
      ['signal_created', 6],
      ['signal_updated', 7],
      ['signal_deleted', 8],
    ]);
    expect(onResync).toHaveBeenCalledTimes(1); // the welcome only: no gap inside the batch

    server((s) => {
      s.receive({ type: 'batch', events: [{ type: 'signal_created', seq: 10, data: {} }] });
    });
    expect(onResync).toHaveBeenLastCalledWith('gap');
  });

  it('ignores a batch whose events are not all frames', () => {
    const { onFrame } = setup();
    server((s) => {
      s.open();
      s.receive({ type: 'welcome', ts: 1, seq: 0 });
      s.receive({ type: 'batch', events: [{ type: 'signal_created', seq: 1 }, 42] });
    });
    expect(onFrame).not.toHaveBeenCalled();
  });

  it('treats a gap right after the welcome as a gap', () => {
    const { onResync } = setup();
    server((s) => {
      s.open();
      s.receive({ type: 'welcome', ts: 1, seq: 5 });
      s.receive({ type: 'signal_created', seq: 8, data: {} });
    });
    expect(onResync.mock.calls).toEqual([['connect'], ['gap']]);
  });

  it('resyncs when the counter restarted (another epoch), and takes the new numbers', () => {
    const { onFrame, onResync } = setup();
    server((s) => {
      s.open();
      s.receive({ type: 'welcome', ts: 1, seq: 40, epoch: 'a' });
      s.receive({ type: 'signal_created', seq: 41, epoch: 'a', data: {} });
      // Redis restarted without its data: the numbers start again under a new epoch.
      s.receive({ type: 'signal_created', seq: 2, epoch: 'b', data: {} });
      s.receive({ type: 'signal_updated', seq: 3, epoch: 'b', data: {} });
    });
    expect(onFrame.mock.calls.map(([frame]) => (frame as SocketFrame).seq)).toEqual([41, 2, 3]);
    expect(onResync.mock.calls).toEqual([['connect'], ['epoch']]);
  });

  it('learns from a pong that it missed events or that the epoch changed', () => {
    const { onFrame, onResync } = setup();
    server((s) => {
      s.open();
      s.receive({ type: 'welcome', ts: 1, seq: 7, epoch: 'a' });
      s.receive({ type: 'pong', ts: 2, seq: 7, epoch: 'a' }); // nothing missed
    });
    expect(onResync.mock.calls).toEqual([['connect']]);
    server((s) => {
      s.receive({ type: 'pong', ts: 3, seq: 9, epoch: 'a' }); // two events never arrived
    });
    expect(onResync).toHaveBeenLastCalledWith('gap');
    server((s) => {
      s.receive({ type: 'signal_created', seq: 10, epoch: 'a', data: {} }); // follows the pong's 9
      s.receive({ type: 'pong', ts: 4, seq: 0, epoch: 'b' });
    });
    expect(onResync.mock.calls).toEqual([['connect'], ['gap'], ['epoch']]);
    expect(onFrame).toHaveBeenCalledTimes(1);
  });

  it('ignores frames that are not JSON objects with a type', () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { onFrame } = setup();
    server((s) => {
      s.open();
      s.receive('not json');
      s.receive({ no: 'type' });
    });
    expect(onFrame).not.toHaveBeenCalled();
  });

  it('retries at once when the browser comes back online', () => {
    setup();
    server((s) => {
      s.drop();
    });
    expect(FakeWebSocket.instances).toHaveLength(1);
    act(() => {
      window.dispatchEvent(new Event('online'));
    });
    expect(FakeWebSocket.instances).toHaveLength(2);
  });

  it('waits offline as closed and reconnects when the browser is back online', () => {
    const { hook } = setup();
    server((s) => {
      s.open();
    });
    const onLine = vi.spyOn(navigator, 'onLine', 'get').mockReturnValue(false);
    act(() => {
      window.dispatchEvent(new Event('offline'));
    });
    expect(hook.result.current.state).toBe('closed');
    expect(FakeWebSocket.instances[0]?.closedWith?.reason).toBe('browser offline');
    advance(60_000);
    expect(FakeWebSocket.instances).toHaveLength(1);

    onLine.mockReturnValue(true);
    act(() => {
      window.dispatchEvent(new Event('online'));
    });
    expect(hook.result.current.state).toBe('reconnecting');
    expect(FakeWebSocket.instances).toHaveLength(2);
  });

  it('does not retry while the browser reports no network', () => {
    const { hook } = setup();
    vi.spyOn(navigator, 'onLine', 'get').mockReturnValue(false);
    server((s) => {
      s.drop();
    });
    expect(hook.result.current.state).toBe('closed');
    advance(60_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
  });

  it('ends as closed after maxRetries', () => {
    const { hook } = setup({ maxRetries: 2 });
    server((s) => {
      s.drop();
    });
    advance(250);
    server((s) => {
      s.drop();
    });
    advance(500);
    server((s) => {
      s.drop();
    });
    expect(hook.result.current.state).toBe('closed');
    advance(60_000);
    expect(FakeWebSocket.instances).toHaveLength(3);
  });

  it('closes the socket and stops retrying on unmount', () => {
    const { hook } = setup();
    const socket = server((s) => {
      s.open();
    });
    hook.unmount();
    expect(socket.closedWith?.code).toBe(1000);
    advance(120_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
  });

  it('opens no socket for a null url', () => {
    renderHook(() => useWebSocket(null, { onFrame: vi.fn() }));
    expect(FakeWebSocket.instances).toHaveLength(0);
  });

  it('sends JSON only while open', () => {
    const { hook } = setup();
    expect(hook.result.current.send({ type: 'ping' })).toBe(false);
    const socket = server((s) => {
      s.open();
    });
    expect(hook.result.current.send({ type: 'hello' })).toBe(true);
    expect(socket.sent).toEqual([{ type: 'hello' }]);
  });
});
