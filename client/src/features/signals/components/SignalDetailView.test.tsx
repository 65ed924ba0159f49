import { screen, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it, vi } from 'vitest';

import { signalPath } from '@/features/signals/api/getSignal';
import type { Signal } from '@/features/signals/api/signal';
import { SignalDetailView } from '@/features/signals/components/SignalDetailView';
import { signalJson } from '@/testing/factories';
import { server } from '@/testing/mocks/server';
import { renderWithProviders } from '@/testing/test-utils';

function detailBody() {
  const signal = signalJson({
    id: 9,
    symbol: 'ETHUSDT',
    direction: 'SHORT',
    entry: 3000,
    stop_loss: 3045,
    take_profit: 2925,
    tick_size: '0.01',
    conditions: ['rsi_band', 'heikin_ashi'],
    // Trailing moved the stop-loss from 3,050 to 3,045; the take-profit is where it was shown.
    initial_stop_loss: 3050,
    initial_take_profit: 2925,
  });
  return {
    ...signal,
    changes: [
      {
        kind: 'created',
        reason: '',
        at: '2025-01-01T12:00:00Z',
        score: 80,
        stop_loss: 3045,
        take_profit: 2925,
        conditions: ['rsi_band'],
      },
      {
        kind: 'updated',
        reason: '',
        at: '2025-01-01T12:05:00Z',
        score: 86.5,
        stop_loss: 3040,
        take_profit: 2925,
        conditions: ['rsi_band', 'heikin_ashi'],
      },
      {
        kind: 'deleted',
        reason: 'tp_hit',
        at: '2025-01-01T12:20:00Z',
        score: 86.5,
        stop_loss: 3040,
        take_profit: 2925,
        conditions: ['rsi_band', 'heikin_ashi'],
      },
    ],
  };
}

describe('SignalDetailView', () => {
  it('shows the levels, the conditions, the chart slot and the history', async () => {
    server.use(http.get(signalPath(9), () => HttpResponse.json(detailBody())));
    const renderChart = vi.fn((signal: Signal) => <div data-testid="chart">{signal.symbol}</div>);
    renderWithProviders(<SignalDetailView id={9} renderChart={renderChart} />);

    expect(await screen.findByRole('heading', { name: 'ETHUSDT' })).toBeInTheDocument();
    expect(screen.getByText('SHORT')).toBeInTheDocument();
    const figure = (label: string) => screen.getByText(label, { selector: 'p' }).parentElement;
    expect(figure('Entry')).toHaveTextContent('3,000.00');
    expect(figure('Stop-loss')).toHaveTextContent('3,045.00+1.50%shown at creation 3,050.00');
    expect(figure('Take-profit')).toHaveTextContent(/^Take-profit2,925.00-2.50%$/);
    expect(screen.getByTestId('chart')).toHaveTextContent('ETHUSDT');
    expect(screen.getByTestId('signal-probability')).toHaveTextContent(
      'P(take-profit): take-profit before stop-loss31% (24–38%, n=812)',
    );
    expect(
      screen.getByText(/Score: conditions met, weighted \(at creation 80\)/),
    ).toBeInTheDocument();
    const created = new Intl.DateTimeFormat(undefined, {
      dateStyle: 'short',
      timeStyle: 'medium',
    }).format(Date.parse('2025-01-01T12:00:00Z'));
    expect(screen.getByTestId('signal-times')).toHaveTextContent(
      `Created ${created} (exchange time, the chart's clock)`,
    );
    expect(figure('Expires (exchange time)')).toBeInTheDocument();
    expect(screen.getByText('Heikin Ashi')).toBeInTheDocument();
    expect(screen.getByText(/The last Heikin Ashi candle is bearish/)).toBeInTheDocument();

    const history = within(screen.getByTestId('signal-changes')).getAllByRole('row').slice(1);
    expect(history.map((row) => row.children[1]?.textContent)).toEqual([
      'created',
      'updated',
      'deletedTake-profit hit',
    ]);
    expect(history[1]?.children[2]?.textContent).toBe('86.5(+6.5)');
    expect(history[1]?.children[5]?.textContent).toBe('+Heikin Ashi');
  });

  it('says when the signal does not exist', async () => {
    server.use(
      http.get(signalPath(404), () => HttpResponse.json({ detail: 'Not found.' }, { status: 404 })),
    );
    renderWithProviders(<SignalDetailView id={404} renderChart={() => null} />);
    expect(await screen.findByText('Signal not found')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: /Dashboard/ })).toHaveAttribute('href', '/');
  });
});
