import { QueryClientProvider } from '@tanstack/react-query';
import { act, renderHook, waitFor } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import type { ReactNode } from 'react';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import { KLINES_PATH } from '@/features/market/api/getKlines';
import { useLiveKlines } from '@/features/market/hooks/useLiveKlines';
import { FakeWebSocket } from '@/testing/fake-websocket';
import { server } from '@/testing/mocks/server';
import { createTestQueryClient } from '@/testing/test-utils';

const row = (t: number, c: number, closed: boolean) => ({
  t,
  o: 100,
  h: 110,
  l: 90,
  c,
  v: 5,
  closed,
});

function setup() {
  const requests: URL[] = [];
  server.use(
    http.get(KLINES_PATH, ({ request }) => {
      requests.push(new URL(request.url));
      return HttpResponse.json([row(0, 101, true), row(300_000, 102, false)]);
    }),
  );
  const client = createTestQueryClient();
  const wrapper = ({ children }: { children: ReactNode }) => (
    <QueryClientProvider client={client}>{children}</QueryClientProvider>
  );
  const hook = renderHook(() => useLiveKlines('BTCUSDT', '5m'), { wrapper });
  return { hook, requests };
}

beforeEach(() => {
  FakeWebSocket.reset();
  vi.stubGlobal('WebSocket', FakeWebSocket);
});

describe('useLiveKlines', () => {
  it('loads candles over REST and subscribes to the market stream', async () => {
    const { hook, requests } = setup();
    await waitFor(() => {
      expect(hook.result.current.data).toHaveLength(2);
    });
    expect(requests[0]?.searchParams.toString()).toBe('symbol=BTCUSDT&interval=5m&limit=300');
    expect(FakeWebSocket.latest().url).toMatch(/\/ws\/market\/\?symbol=BTCUSDT&interval=5m$/);
    expect(hook.result.current.live).toBe(false);
  });

  it('moves the forming candle with each kline frame and stops polling while they come', async () => {
    const { hook } = setup();
    await waitFor(() => {
      expect(hook.result.current.data).toHaveLength(2);
    });
    act(() => {
      const socket = FakeWebSocket.latest();
      socket.open();
      socket.receive({ type: 'kline', data: row(300_000, 107, false) });
    });
    expect(hook.result.current.live).toBe(true);
    expect(hook.result.current.data?.at(-1)?.c).toBe(107);

    act(() => {
      FakeWebSocket.latest().receive({ type: 'kline', data: row(600_000, 108, false) });
    });
    expect(hook.result.current.data?.map((k) => k.t)).toEqual([0, 300_000, 600_000]);
  });

  it('polls every 5 s while the stream is silent', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      const { requests } = setup();
      await waitFor(() => {
        expect(requests).toHaveLength(1);
      });
      await act(async () => {
        await vi.advanceTimersByTimeAsync(5_000);
      });
      await waitFor(() => {
        expect(requests).toHaveLength(2);
      });
    } finally {
      vi.useRealTimers();
    }
  });

  it('does not poll while klines stream in, and polls again once they stop', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      const { hook, requests } = setup();
      await waitFor(() => {
        expect(hook.result.current.data).toHaveLength(2);
      });
      const frame = (c: number) => {
        act(() => {
          FakeWebSocket.latest().receive({ type: 'kline', data: row(300_000, c, false) });
        });
      };
      act(() => {
        FakeWebSocket.latest().open();
      });
      for (let i = 0; i < 4; i++) {
        frame(103 + i);
        await act(async () => {
          await vi.advanceTimersByTimeAsync(2_500);
        });
      }
      expect(requests).toHaveLength(1);

      await act(async () => {
        await vi.advanceTimersByTimeAsync(25_000);
      });
      expect(hook.result.current.live).toBe(false);
      await act(async () => {
        await vi.advanceTimersByTimeAsync(5_000);
      });
      expect(requests.length).toBeGreaterThan(1);
    } finally {
      vi.useRealTimers();
    }
  });
});
