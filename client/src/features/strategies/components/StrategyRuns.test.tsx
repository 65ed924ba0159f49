/**
 * The run controls, the runs list and the live log against mocked HTTP. The chart is left out
 * (lightweight-charts needs a real canvas; the browser spec shows it with markers).
 */
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import { RunControls } from '@/features/strategies/components/RunControls';
import { StrategyRuns } from '@/features/strategies/components/StrategyRuns';
import { applyStrategyEvent } from '@/features/strategies/utils/run-events';
import { clearTokens, storeTokens } from '@/lib/session';
import { server } from '@/testing/mocks/server';
import { renderWithProviders } from '@/testing/test-utils';
import { fakeTokenPair } from '@/testing/tokens';

vi.mock('@/features/strategies/components/RunChart', () => ({
  RunChart: ({ run }: { run: { id: number } }) => <div data-testid="chart-stand-in">{run.id}</div>,
}));

const T = '2026-12-04T20:00:00Z';

function runJson(id: number, status: string, error = '') {
  return {
    id,
    strategy: 4,
    strategy_name: 'Breakout',
    version: 2,
    exchange_account: 7,
    symbols: ['BTCUSDT', 'ETHUSDT'],
    timeframe: '5m',
    status,
    error,
    tag: `s${id}`,
    created_at: T,
    started_at: T,
    stopped_at: null,
  };
}

function detailJson(id: number, status: string, error = '', trace = '') {
  return {
    ...runJson(id, status, error),
    pnl: { realized: '12.5', unrealized: '-2.25', commission: '0.25' },
    trace,
  };
}

beforeEach(() => {
  clearTokens();
  storeTokens(fakeTokenPair(), { signIn: true });
  server.use(
    http.get('/api/trading/accounts/', () =>
      HttpResponse.json([
        {
          id: 3,
          label: 'Main',
          venue: 'live',
          is_paper: false,
          hedge_mode: false,
          paused: false,
          pause_reason: '',
        },
        {
          id: 7,
          label: 'Paper',
          venue: 'sandbox',
          is_paper: true,
          hedge_mode: false,
          paused: false,
          pause_reason: '',
        },
      ]),
    ),
    http.get('/api/symbols/', () =>
      HttpResponse.json([
        { symbol: 'BTCUSDT', in_universe: true },
        { symbol: 'ETHUSDT', in_universe: true },
        { symbol: 'OLDUSDT', in_universe: false },
      ]),
    ),
  );
});

describe('run controls', () => {
  it('starts the version shown on the paper account with the chosen symbols and timeframe', async () => {
    const bodies: unknown[] = [];
    server.use(
      http.post('/api/strategies/4/runs/', async ({ request }) => {
        bodies.push(await request.json());
        return HttpResponse.json(runJson(11, 'RUNNING'), { status: 201 });
      }),
    );
    const started = vi.fn();
    renderWithProviders(
      <RunControls
        strategyId={4}
        version={2}
        dirty={false}
        timeframes={['5m', '1h']}
        onStarted={started}
      />,
    );
    expect(await screen.findByDisplayValue('Paper (paper)')).toBeVisible();
    const start = screen.getByRole('button', { name: 'Start version 2' });
    expect(start).toBeDisabled();

    await userEvent.click(screen.getByRole('combobox', { name: 'Symbols' }));
    // Only the universe is offered.
    expect(screen.queryByRole('option', { name: 'OLDUSDT' })).toBeNull();
    await userEvent.click(await screen.findByRole('option', { name: 'ETHUSDT' }));
    await userEvent.click(screen.getByRole('option', { name: 'BTCUSDT' }));
    await userEvent.click(screen.getByRole('combobox', { name: 'Timeframe' }));
    await userEvent.click(await screen.findByRole('option', { name: '1h' }));
    await userEvent.click(start);

    await waitFor(() => {
      expect(started).toHaveBeenCalledWith(11);
    });
    expect(bodies).toEqual([
      { version: 2, exchange_account: 7, symbols: ['ETHUSDT', 'BTCUSDT'], timeframe: '1h' },
    ]);
  });

  it("shows the server's reason when it refuses", async () => {
    server.use(
      http.post('/api/strategies/4/runs/', () =>
        HttpResponse.json(
          { detail: 'This exchange account is not verified.', field: 'exchange_account' },
          { status: 400 },
        ),
      ),
    );
    renderWithProviders(
      <RunControls
        strategyId={4}
        version={2}
        dirty={false}
        timeframes={['5m']}
        onStarted={vi.fn()}
      />,
    );
    await screen.findByDisplayValue('Paper (paper)');
    await userEvent.click(screen.getByRole('combobox', { name: 'Symbols' }));
    await userEvent.click(await screen.findByRole('option', { name: 'BTCUSDT' }));
    await userEvent.click(screen.getByRole('button', { name: 'Start version 2' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'This exchange account is not verified.',
    );
  });

  it('will not start unsaved changes', async () => {
    renderWithProviders(
      <RunControls strategyId={4} version={2} dirty timeframes={['5m']} onStarted={vi.fn()} />,
    );
    await screen.findByDisplayValue('Paper (paper)');
    expect(screen.getByTestId('run-blocker')).toHaveTextContent(/^Save your changes first/);
    expect(screen.getByRole('button', { name: 'Start version 2' })).toBeDisabled();
  });
});

describe('runs and their log', () => {
  it('lists the runs with state and net PnL, shows an ERROR trace, the run position, and grows the log from the socket', async () => {
    const triggers: string[] = [];
    server.use(
      http.get('/api/strategies/runs/', () =>
        HttpResponse.json([
          runJson(12, 'RUNNING'),
          runJson(9, 'ERROR', 'BudgetExceeded: over 20000 steps'),
          { ...runJson(5, 'RUNNING'), strategy: 99 },
        ]),
      ),
      http.get('/api/strategies/runs/12/', () => HttpResponse.json(detailJson(12, 'RUNNING'))),
      http.get('/api/strategies/runs/9/', () =>
        HttpResponse.json(
          detailJson(9, 'ERROR', 'BudgetExceeded', 'Traceback: line 1 in evaluate'),
        ),
      ),
      http.get('/api/strategies/runs/12/logs/', () =>
        HttpResponse.json([
          {
            id: 1,
            at: T,
            level: 'info',
            symbol: 'BTCUSDT',
            candle_time: 1,
            message: 'candle closed',
          },
        ]),
      ),
      http.get('/api/trading/accounts/7/', () =>
        HttpResponse.json({
          account: {},
          positions: [
            {
              symbol: 'BTCUSDT',
              position_side: 'BOTH',
              amount: '0.015',
              entry_price: '43000',
              mark_price: '43100',
              tags: [
                { tag: 'm', quantity: '0.01', entry_price: '42900', realized_pnl: '0' },
                { tag: 's12', quantity: '0.005', entry_price: '43200', realized_pnl: '0' },
              ],
            },
            {
              symbol: 'ETHUSDT',
              position_side: 'BOTH',
              amount: '1',
              entry_price: '2300',
              mark_price: '2310',
              tags: [{ tag: 's120', quantity: '1', entry_price: '2300', realized_pnl: '0' }],
            },
          ],
        }),
      ),
      http.post('/api/strategies/runs/12/pause/', () => {
        triggers.push('pause');
        return HttpResponse.json({ detail: 'A STOPPED run cannot pause.' }, { status: 409 });
      }),
    );
    const { queryClient } = renderWithProviders(
      <StrategyRuns strategyId={4} selected={null} onSelect={vi.fn()} />,
    );
    const table = await screen.findByRole('table', { name: 'Runs' });
    // Another strategy's run is not listed.
    expect(within(table).getAllByTestId('run-row')).toHaveLength(2);
    // 12.5 - 2.25 - 0.25
    await waitFor(() => {
      expect(within(table).getAllByTestId('run-pnl')[0]).toHaveTextContent('+10.00');
    });
    expect(within(table).getByText('BudgetExceeded: over 20000 steps')).toBeVisible();
    await userEvent.click(within(table).getByRole('button', { name: 'Show trace' }));
    expect(await screen.findByTestId('run-trace')).toHaveTextContent(
      'Traceback: line 1 in evaluate',
    );
    // Terminal: no controls on the ERROR run.
    expect(within(table).queryByRole('button', { name: /run 9$/ })).toBeNull();

    // The newest run is selected: its log, then a line pushed over the socket.
    expect(await screen.findByText('candle closed')).toBeVisible();
    expect(screen.getByTestId('chart-stand-in')).toHaveTextContent('12');
    // Its share of the account's BTCUSDT position (tag s12), not the manual part nor run 120's.
    const position = await screen.findByTestId('run-position-BTCUSDT');
    expect(position).toHaveTextContent(/LONG\s*0\.005\s*43200\s*43100/);
    expect(screen.queryByTestId('run-position-ETHUSDT')).toBeNull();
    act(() => {
      applyStrategyEvent(queryClient, {
        type: 'strategy_log',
        data: {
          run_id: 12,
          level: 'warning',
          message: 'open BTCUSDT: not placed',
          symbol: '',
          candle_time: null,
          at: '2026-12-04T20:05:00Z',
        },
      });
    });
    await waitFor(() => {
      expect(screen.getAllByTestId('run-log-line')).toHaveLength(2);
    });
    expect(screen.getAllByTestId('run-log-line')[0]).toHaveTextContent('open BTCUSDT: not placed');

    // A refused transition says why.
    await userEvent.click(within(table).getByRole('button', { name: 'Pause run 12' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('A STOPPED run cannot pause.');
    expect(triggers).toEqual(['pause']);
  });
});
