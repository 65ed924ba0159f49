/**
 * The backtest page against mocked HTTP: the form's request and the server's per-field refusal,
 * the runs list moved by the channel's progress events, a result's figures and breakdowns, and
 * the comparison. The charts are left out (lightweight-charts needs a real canvas; the browser
 * spec shows them).
 */
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import { BacktestsView } from '@/features/backtest/components/BacktestsView';
import { applyBacktestEvent } from '@/features/backtest/utils/backtest-events';
import { clearTokens, storeTokens } from '@/lib/session';
import { server } from '@/testing/mocks/server';
import { renderWithProviders } from '@/testing/test-utils';
import { fakeTokenPair } from '@/testing/tokens';

vi.mock('@/features/backtest/components/BacktestCharts', () => ({
  EquityChart: () => <div data-testid="equity-stand-in" />,
  TradesChart: () => <div data-testid="trades-stand-in" />,
}));

const T = '2026-12-04T20:00:00Z';
const PARAMETERS = {
  symbols: ['BTCUSDT', 'ETHUSDT'],
  timeframe: '5m',
  start_ms: 1_700_000_000_000,
  end_ms: 1_700_100_000_000,
  starting_balance: '10000',
};

function runJson(id: number, status: string, progress: number, metrics: object | null = null) {
  return {
    id,
    kind: 'scanner',
    status,
    progress,
    parameters: PARAMETERS,
    error: '',
    created_at: T,
    started_at: T,
    finished_at: status === 'DONE' ? T : null,
    metrics,
  };
}

const METRICS = { trades: 2, total_pnl: 12.5, win_rate_pct: 50, profit_factor: null, sharpe: 1.25 };

beforeEach(() => {
  clearTokens();
  storeTokens(fakeTokenPair(), { signIn: true });
  server.use(
    http.get('/api/strategies/', () => HttpResponse.json([])),
    http.get('/api/scanner/status/', () => HttpResponse.json({ timeframes: ['5m', '15m'] })),
    http.get('/api/backtests/', () =>
      HttpResponse.json([
        runJson(8, 'RUNNING', 20),
        runJson(7, 'DONE', 100, METRICS),
        runJson(6, 'DONE', 100, METRICS),
      ]),
    ),
    http.get('/api/backtests/7/', () =>
      HttpResponse.json({
        ...runJson(7, 'DONE', 100, METRICS),
        results: {
          metrics: METRICS,
          events: 4,
          trades_total: 2,
          refusals: 0,
          equity_curve: [[1_700_000_300_000, '10005.5']],
          trades: [
            {
              symbol: 'BTCUSDT',
              direction: 'LONG',
              entry_time: 1_700_000_300_000,
              exit_time: 1_700_000_900_000,
              entry_price: '100.5',
              exit_price: '110',
              qty: '0.5',
              fees: '0.1',
              funding: '0',
              gross_pnl: '4.75',
              pnl: '4.65',
              return_pct: 9.2,
              reason: 'target',
              tag: '',
            },
          ],
          breakdown: {
            symbol: [
              {
                key: 'BTCUSDT',
                trades: 2,
                win_rate_pct: 50,
                total_pnl: 12.5,
                expectancy: 6.25,
                profit_factor: null,
              },
            ],
            direction: [],
            month: [],
          },
        },
      }),
    ),
  );
});

describe('BacktestsView', () => {
  it('moves a running backtest by the channel events and opens a result with its figures', async () => {
    const user = userEvent.setup();
    const { queryClient } = renderWithProviders(<BacktestsView />);
    const row = await screen.findByTestId('backtest-row-8');
    expect(within(row).getByTestId('backtest-progress-8')).toHaveAttribute('data-progress', '20');

    act(() => {
      applyBacktestEvent(queryClient, {
        type: 'backtest_progress',
        data: { backtest_id: 8, progress: 60, status: 'RUNNING' },
      });
    });
    await waitFor(() => {
      expect(screen.getByTestId('backtest-progress-8')).toHaveAttribute('data-progress', '60');
    });

    await user.click(screen.getByTestId('backtest-row-7'));
    const result = await screen.findByTestId('backtest-result');
    const metrics = within(result).getByTestId('backtest-metrics');
    expect(within(metrics).getByText('12.50')).toBeInTheDocument();
    expect(metrics.querySelector('[data-metric="profit_factor"]')).toHaveTextContent('–'); // null: no loss
    expect(within(result).getByTestId('breakdown-symbol')).toHaveTextContent('BTCUSDT');
    expect(within(result).getByTestId('backtest-trades')).toHaveTextContent('4.65');
  });

  it('compares the ticked runs side by side', async () => {
    const user = userEvent.setup();
    let asked = '';
    server.use(
      http.get('/api/backtests/compare/', ({ request }) => {
        asked = new URL(request.url).searchParams.get('ids') ?? '';
        return HttpResponse.json({
          runs: [
            { id: 7, status: 'DONE', parameters: PARAMETERS, metrics: METRICS },
            {
              id: 6,
              status: 'DONE',
              parameters: PARAMETERS,
              metrics: { ...METRICS, total_pnl: -3 },
            },
          ],
        });
      }),
    );
    renderWithProviders(<BacktestsView />);
    expect(await screen.findByLabelText('Compare backtest 8')).toBeDisabled(); // not done yet
    await user.click(screen.getByLabelText('Compare backtest 7'));
    await user.click(screen.getByLabelText('Compare backtest 6'));
    const table = await screen.findByTestId('backtest-compare');
    expect(asked).toBe('7,6');
    expect(table).toHaveTextContent('-3.00');
  });

  it('sends the form and shows the server refusal next to each field', async () => {
    const user = userEvent.setup();
    let sent: Record<string, unknown> = {};
    server.use(
      http.post('/api/backtests/', async ({ request }) => {
        sent = (await request.json()) as Record<string, unknown>;
        return HttpResponse.json(
          {
            detail: 'start: bad',
            errors: { start: "'2026-13-01' is not a date", costs: 'leverage must be in [1, 125]' },
          },
          { status: 400 },
        );
      }),
    );
    renderWithProviders(<BacktestsView />);
    const form = await screen.findByRole('form', { name: 'New backtest' });
    const button = within(form).getByRole('button', { name: 'Start backtest' });
    expect(button).toBeDisabled(); // no symbol, no window yet
    await user.type(within(form).getByPlaceholderText('BTCUSDT, then Enter'), 'btcusdt{enter}');
    await user.type(within(form).getByLabelText('Start (UTC)'), '2026-13-01');
    await user.type(within(form).getByLabelText('End (UTC)'), '2026-12-02');
    await user.click(button);
    await waitFor(() => {
      expect(within(form).getByText("'2026-13-01' is not a date")).toBeInTheDocument();
    });
    expect(within(form).getByText(/leverage must be in \[1, 125\]/)).toBeInTheDocument();
    expect(sent).toMatchObject({
      kind: 'scanner',
      symbols: ['BTCUSDT'],
      timeframe: '5m',
      start: '2026-13-01',
      end: '2026-12-02',
      taker_fee: '0.0005',
    });
  });
});
