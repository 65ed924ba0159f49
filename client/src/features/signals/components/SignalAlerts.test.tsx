import { act, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { SignalAlerts } from '@/features/signals/components/SignalAlerts';
import { ALERT_TTL_MS, MAX_ALERTS, useAlertStore } from '@/features/signals/stores/alert-store';
import { createSignalEventSink, decodeStreamFrame } from '@/features/signals/utils/signal-events';
import { createTestQueryClient, renderWithProviders } from '@/testing/test-utils';

function notificationFrame(id: number, direction: 'LONG' | 'SHORT' = 'LONG') {
  return {
    type: 'signal_notification',
    seq: id,
    data: {
      signal: {
        id,
        key: `K${id}`,
        symbol: 'BTCUSDT',
        timeframe: '5m',
        direction,
        score: 91.5,
        entry: 100,
        stop_loss: 97,
        take_profit: 105,
      },
      message: 'High-score signal',
    },
  };
}

describe('signal_notification', () => {
  beforeEach(() => {
    useAlertStore.setState({ alerts: [] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('decodes into an alert and rejects a malformed one', () => {
    expect(decodeStreamFrame(notificationFrame(7))).toEqual({
      type: 'alert',
      alert: {
        id: 7,
        symbol: 'BTCUSDT',
        timeframe: '5m',
        direction: 'LONG',
        score: 91.5,
        message: 'High-score signal',
      },
    });
    expect(() =>
      decodeStreamFrame({ type: 'signal_notification', data: { signal: { id: 'x' } } }),
    ).toThrow();
  });

  it('shows the newest alerts, one per signal, and dismisses them after a while', () => {
    vi.useFakeTimers();
    const sink = createSignalEventSink(createTestQueryClient());
    for (let id = 1; id <= MAX_ALERTS + 2; id += 1) sink.push(notificationFrame(id));
    sink.push(notificationFrame(3, 'SHORT')); // the same signal again: replaces, does not add
    sink.flush();
    const ids = useAlertStore.getState().alerts.map((a) => a.id);
    expect(ids[0]).toBe(3);
    expect(ids).toHaveLength(MAX_ALERTS);
    expect(new Set(ids).size).toBe(ids.length);
    act(() => {
      vi.advanceTimersByTime(ALERT_TTL_MS + 1);
    });
    expect(useAlertStore.getState().alerts).toEqual([]);
    sink.dispose();
  });

  it('renders an alert with a link to the signal and a close button', async () => {
    renderWithProviders(<SignalAlerts />);
    act(() => {
      useAlertStore.getState().push({
        id: 42,
        symbol: 'ETHUSDT',
        timeframe: '15m',
        direction: 'SHORT',
        score: 88,
        message: 'High-score signal',
      });
    });
    expect(await screen.findByText('SHORT ETHUSDT 15m · score 88')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Open' })).toHaveAttribute('href', '/signals/42');
    await userEvent.click(screen.getByRole('button'));
    expect(screen.queryByText('SHORT ETHUSDT 15m · score 88')).not.toBeInTheDocument();
  });
});
