import { act, screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { Outlet } from 'react-router';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { SIGNALS_PATH } from '@/features/signals/api/getSignals';
import { ConnectionBadge } from '@/features/signals/components/ConnectionBadge';
import { SignalBoard } from '@/features/signals/components/SignalBoard';
import { SignalStatsCards } from '@/features/signals/components/SignalStatsCards';
import { useSignalStream } from '@/features/signals/hooks/useSignalStream';
import { EXIT_MS, useSignalStore } from '@/features/signals/stores/signal-store';
import { useStreamStore } from '@/features/signals/stores/stream-store';
import { signalFrame, signalJson } from '@/testing/factories';
import { FakeWebSocket } from '@/testing/fake-websocket';
import { dashboardHandlers, scannerBody, signalListHandler } from '@/testing/mocks/signals';
import { server } from '@/testing/mocks/server';
import { renderWithProviders } from '@/testing/test-utils';

function LiveDashboard() {
  useSignalStream();
  return (
    <>
      <ConnectionBadge />
      <SignalStatsCards />
      <SignalBoard />
      <Outlet />
    </>
  );
}

const cards = () => screen.queryAllByTestId('signal-card');
const symbols = () => cards().map((card) => card.getAttribute('data-symbol'));
function card(index: number): HTMLElement {
  const found = cards()[index];
  if (!found) throw new Error(`no card at ${index}`);
  return found;
}
const badge = () => screen.getByTestId('connection-badge');

function serverSends(...frames: unknown[]) {
  act(() => {
    for (const frame of frames) FakeWebSocket.latest().receive(frame);
  });
}

const btc = signalJson({ id: 1, symbol: 'BTCUSDT', score: 90 });
const eth = signalJson({
  id: 2,
  symbol: 'ETHUSDT',
  direction: 'SHORT',
  timeframe: '1h',
  score: 78,
});

beforeEach(() => {
  FakeWebSocket.reset();
  vi.stubGlobal('WebSocket', FakeWebSocket);
  useSignalStore.getState().reset();
  useStreamStore.setState({ connection: { state: 'connecting', attempt: 0, retryAt: null } });
  server.use(dashboardHandlers.stats(), dashboardHandlers.scanner());
});

afterEach(() => {
  useSignalStore.getState().reset();
});

describe('live dashboard', () => {
  it('loads the snapshot, goes live and resyncs on the welcome', async () => {
    const requests: URLSearchParams[] = [];
    server.use(signalListHandler([[btc, eth]], requests));
    renderWithProviders(<LiveDashboard />);

    expect(screen.getByLabelText('Loading signals')).toBeInTheDocument();
    await waitFor(() => {
      expect(symbols()).toEqual(['BTCUSDT', 'ETHUSDT']);
    });
    expect(requests[0]?.get('status')).toBe('active');
    expect(requests[0]?.get('page_size')).toBe('500');
    expect(badge()).toHaveAttribute('data-state', 'connecting');

    act(() => {
      FakeWebSocket.latest().open();
    });
    expect(badge()).toHaveAttribute('data-state', 'open');
    expect(badge()).toHaveTextContent('Live');

    serverSends({ type: 'welcome', ts: 1, seq: 10 });
    await waitFor(() => {
      expect(requests).toHaveLength(2);
    });
    expect(await screen.findByText('84.3')).toBeInTheDocument();
  });

  it('adds, updates and fades out cards as events arrive', async () => {
    server.use(signalListHandler([[btc, eth]]));
    renderWithProviders(<LiveDashboard />);
    await waitFor(() => {
      expect(cards()).toHaveLength(2);
    });
    act(() => {
      FakeWebSocket.latest().open();
    });

    serverSends(
      signalFrame('signal_created', 1, signalJson({ id: 3, symbol: 'SOLUSDT', score: 95 })),
    );
    await waitFor(() => {
      expect(symbols()).toEqual(['SOLUSDT', 'BTCUSDT', 'ETHUSDT']);
    });
    expect(cards()[0]).toHaveAttribute('data-anim', 'enter');
    expect(cards()[0]).toHaveAttribute('data-live', 'true');

    serverSends(signalFrame('signal_updated', 2, { ...eth, score: 99, version: 2 }));
    await waitFor(() => {
      expect(symbols()).toEqual(['ETHUSDT', 'SOLUSDT', 'BTCUSDT']);
    });
    expect(cards()[0]).toHaveAttribute('data-anim', 'flash');
    expect(within(card(0)).getByTestId('signal-score')).toHaveTextContent('99');

    serverSends(
      signalFrame('signal_deleted', 3, { ...btc, status: 'sl_hit', version: 2 }, 'sl_hit'),
    );
    await waitFor(() => {
      expect(cards()[2]).toHaveAttribute('data-anim', 'exit');
    });
    await waitFor(
      () => {
        expect(symbols()).toEqual(['ETHUSDT', 'SOLUSDT']);
      },
      { timeout: EXIT_MS + 1000 },
    );
  });

  it('applies a burst of events in one render', async () => {
    server.use(signalListHandler([[]]));
    renderWithProviders(<LiveDashboard />);
    expect(await screen.findByTestId('signals-empty')).toBeInTheDocument();
    act(() => {
      FakeWebSocket.latest().open();
    });

    const renders = vi.fn();
    const unsubscribe = useSignalStore.subscribe(renders);
    serverSends(
      ...Array.from({ length: 100 }, (_, i) =>
        signalFrame('signal_created', i + 1, signalJson({ id: 100 + i, symbol: `C${i}USDT` })),
      ),
    );
    await waitFor(() => {
      expect(cards()).toHaveLength(100);
    });
    unsubscribe();
    expect(renders).toHaveBeenCalledTimes(1);
  });

  it('refetches after a sequence gap', async () => {
    const requests: URLSearchParams[] = [];
    server.use(signalListHandler([[btc], [btc, eth]], requests));
    renderWithProviders(<LiveDashboard />);
    await waitFor(() => {
      expect(cards()).toHaveLength(1);
    });
    act(() => {
      FakeWebSocket.latest().open();
    });
    serverSends({ type: 'welcome', ts: 1, seq: 4 });
    await waitFor(() => {
      expect(requests).toHaveLength(2);
    });
    await waitFor(() => {
      expect(symbols()).toEqual(['BTCUSDT', 'ETHUSDT']);
    });

    serverSends(signalFrame('signal_updated', 7, { ...btc, version: 2 }));
    await waitFor(() => {
      expect(requests).toHaveLength(3);
    });
  });

  it('shows the reconnection and resyncs once back', async () => {
    const requests: URLSearchParams[] = [];
    server.use(signalListHandler([[btc]], requests));
    renderWithProviders(<LiveDashboard />);
    await waitFor(() => {
      expect(cards()).toHaveLength(1);
    });
    act(() => {
      FakeWebSocket.latest().open();
    });
    serverSends({ type: 'welcome', ts: 1, seq: 0 });
    await waitFor(() => {
      expect(requests).toHaveLength(2);
    });

    act(() => {
      FakeWebSocket.latest().drop();
    });
    expect(badge()).toHaveAttribute('data-state', 'reconnecting');
    expect(badge()).toHaveAttribute('data-color', 'red');
    expect(badge()).toHaveTextContent('Reconnecting');

    await waitFor(() => {
      expect(FakeWebSocket.instances).toHaveLength(2);
    });
    act(() => {
      FakeWebSocket.latest().open();
    });
    serverSends({ type: 'welcome', ts: 2, seq: 5 });
    expect(badge()).toHaveAttribute('data-state', 'open');
    await waitFor(() => {
      expect(requests).toHaveLength(3);
    });
  });

  it('writes scanner status events into the scanner card', async () => {
    server.use(signalListHandler([[btc]]));
    renderWithProviders(<LiveDashboard />);
    const card = await screen.findByTestId('stat-scanner');
    await waitFor(() => {
      expect(within(card).getByText('idle')).toBeInTheDocument();
    });
    act(() => {
      FakeWebSocket.latest().open();
    });
    serverSends({ type: 'scanner_status', seq: 1, ts: 1, data: scannerBody({ state: 'running' }) });
    await waitFor(() => {
      expect(within(card).getByText('running')).toBeInTheDocument();
    });
    serverSends({
      type: 'scanner_error',
      seq: 2,
      ts: 2,
      data: { message: 'Binance answered 429' },
    });
    expect(await within(card).findByText('Binance answered 429')).toBeInTheDocument();
  });

  it('filters the grid from the URL, and says when nothing matches', async () => {
    server.use(signalListHandler([[btc, eth]]));
    renderWithProviders(<LiveDashboard />, { route: '/?direction=SHORT' });
    await waitFor(() => {
      expect(symbols()).toEqual(['ETHUSDT']);
    });
    expect(screen.getByTestId('signals-summary')).toHaveTextContent(
      'Showing 1 of 2 active signals',
    );
  });

  it('shows an error with a retry when the snapshot fails', async () => {
    server.use(http.get(SIGNALS_PATH, () => HttpResponse.json({}, { status: 500 })));
    renderWithProviders(<LiveDashboard />);
    expect(await screen.findByText('Signals unavailable')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Retry' })).toBeInTheDocument();
  });
});
