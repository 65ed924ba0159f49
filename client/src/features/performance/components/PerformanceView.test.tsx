import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';

import { PerformanceView } from '@/features/performance/components/PerformanceView';
import { equitySeries } from '@/features/performance/utils/equity-series';
import { toChartTime } from '@/lib/charts';
import {
  emptyPerformanceBody,
  performanceBody,
  performanceHandler,
} from '@/testing/mocks/performance';
import { server } from '@/testing/mocks/server';
import { renderWithProviders } from '@/testing/test-utils';

// lightweight-charts draws on a canvas, which jsdom does not have.
vi.mock('@/features/performance/components/EquityCurveChart', () => ({
  EquityCurveChart: ({ points }: { points: unknown[] }) => (
    <div data-testid="equity-chart" data-points={points.length} />
  ),
}));

function rows(testId: string) {
  return within(screen.getByTestId(testId))
    .getAllByRole('row')
    .slice(1)
    .map((row) => [...row.children].map((cell) => cell.textContent));
}

describe('PerformanceView', () => {
  it('shows the take-profit rate and closed in profit apart, net R, MFE/MAE and breakdowns', async () => {
    const requests: URL[] = [];
    server.use(...performanceHandler(performanceBody(), requests));
    renderWithProviders(<PerformanceView />);

    expect(await screen.findByTestId('perf-count')).toHaveTextContent('40');
    // 10 of 40 reached take-profit first; 18 of 40 closed with net R > 0.
    expect(screen.getByTestId('perf-tp-rate')).toHaveTextContent('25.0%');
    expect(screen.getByTestId('perf-tp-rate')).toHaveTextContent(
      'take-profit reached before stop-loss',
    );
    expect(screen.getByTestId('perf-profit-rate')).toHaveTextContent('45.0%');
    expect(screen.getByTestId('perf-profit-rate')).toHaveTextContent('net R > 0');
    expect(screen.getByTestId('perf-average-r')).toHaveTextContent(
      '+0.21Rcreation bracket; gross +0.51R, trailed +0.16R',
    );
    expect(screen.getByTestId('perf-profit-factor')).toHaveTextContent('1.37');
    expect(screen.getByTestId('perf-excursions')).toHaveTextContent('1.25R / 0.80R');
    expect(screen.getByText(/net of fees/)).toBeInTheDocument();
    expect(requests[0]?.searchParams.toString()).toBe('days=30');

    expect(rows('perf-by-direction')).toEqual([
      ['LONG', '25', '32.0%', '48.0%', '+0.20R', '1.40'],
      ['SHORT', '15', '13.3%', '40.0%', '-0.10R', '0.80'],
    ]);
    // Timeframes and score buckets in their natural order; no losses: infinite factor.
    expect(rows('perf-by-timeframe').map((row) => row[0])).toEqual(['5m', '1h']);
    expect(rows('perf-by-score').map((row) => [row[0], row[5]])).toEqual([
      ['70-75', '1.40'],
      ['75-80', '∞'],
      ['80-85', '1.40'],
    ]);
  });

  it('plots what its axes say and lists closed signals with their close rule', async () => {
    server.use(...performanceHandler());
    renderWithProviders(<PerformanceView />);

    const chart = await screen.findByTestId('calibration-chart');
    expect(chart).toHaveTextContent('Score at creation (0-100)');
    expect(chart).toHaveTextContent('Realised rate');
    const tp = screen.getByTestId('calibration-tpRate');
    expect(tp.querySelectorAll('circle')).toHaveLength(2);
    expect(tp.querySelector('title')?.textContent).toBe(
      'score 70-75: 25.0% take-profit rate over 20 signals',
    );
    // The dot sits at y = 25% of the plot: 12 + (1 - 0.25) * 248 = 198.
    expect(tp.querySelector('circle')).toHaveAttribute('cy', '198');
    expect(screen.getByTestId('calibration-profitRate').querySelector('title')?.textContent).toBe(
      'score 70-75: 35.0% closed in profit over 20 signals',
    );
    expect(screen.getByTestId('equity-chart')).toHaveAttribute('data-points', '2');

    const [row, expired] = rows('latest-closed');
    expect(row?.slice(1)).toEqual([
      'LONGSOLUSDT 5m',
      '80',
      '150.00',
      '152.35',
      'Take-profit',
      '+1.60R',
      '+1.52R',
      '1.80 / 0.40',
    ]);
    expect(expired?.slice(1)).toEqual([
      'SHORTADAUSDT 1h',
      '74',
      '0.9000',
      '0.9100',
      'Expiredexpired after 12 candles',
      '-0.55R',
      '—',
      '0.20 / 0.90',
    ]);
    expect(screen.queryByRole('link', { name: 'ADAUSDT' })).not.toBeInTheDocument();
  });

  it('reports the walk-forward figures and says they are out of sample', async () => {
    server.use(...performanceHandler());
    renderWithProviders(<PerformanceView />);
    const card = await screen.findByTestId('walk-forward');
    expect(card).toHaveTextContent('Out of sample: walk-forward over the recorded data');
    await vi.waitFor(() => {
      expect(rows('walk-forward-outcomes')).toEqual([
        ['5m, days 1–7 (in sample)', '8667', '21.8%', '31.8%', '-0.34R', '+0.01R', '0.50'],
        ['5m, days 8–14 (out of sample)', '9629', '20.6%', '30.6%', '-0.37R', '-0.02R', '0.50'],
        [
          'All timeframes, days 1–7 (in sample)',
          '8667',
          '21.8%',
          '31.8%',
          '-0.34R',
          '+0.01R',
          '0.50',
        ],
        [
          'All timeframes, days 8–14 (out of sample)',
          '9629',
          '20.6%',
          '30.6%',
          '-0.37R',
          '-0.02R',
          '0.50',
        ],
      ]);
    });
    expect(rows('walk-forward-weights').map((r) => r[0])).toEqual([
      'default',
      'without rsi_bandchosen on days 1–7',
    ]);
    expect(rows('walk-forward-thresholds').map((r) => r[0])).toEqual([
      'score ≥ 70',
      'score ≥ 80chosen on days 1–7',
    ]);
    expect(rows('walk-forward-calibration')).toEqual([
      ['70-80', 'all', 'all', '6657', '20.3%', '19.1%', '+1.2'],
      ['70-80', '5m', 'LONG', '3408', '22.4%', '20.4%', '+2.0'],
    ]);
  });

  it('keeps the timeframe and period in the URL and asks the API for them', async () => {
    const requests: URL[] = [];
    server.use(...performanceHandler(performanceBody(), requests));
    renderWithProviders(<PerformanceView />, { route: '/performance?timeframe=1h&days=7' });
    await screen.findByTestId('perf-count');
    expect(requests[0]?.searchParams.toString()).toBe('timeframe=1h&days=7');

    await userEvent.click(screen.getByText('90 d'));
    await vi.waitFor(() => {
      expect(requests.at(-1)?.searchParams.toString()).toBe('timeframe=1h&days=90');
    });
  });

  it('says when nothing has closed yet', async () => {
    server.use(...performanceHandler(emptyPerformanceBody()));
    renderWithProviders(<PerformanceView />);
    expect(await screen.findByTestId('performance-empty')).toBeInTheDocument();
    expect(screen.getByTestId('perf-tp-rate')).toHaveTextContent('—');
    expect(screen.getByTestId('perf-profit-rate')).toHaveTextContent('—');
    expect(screen.getByTestId('perf-profit-factor')).toHaveTextContent('—');
    expect(screen.getByText('Not enough closed signals yet.')).toBeInTheDocument();
  });
});

describe('equitySeries', () => {
  it('sorts by time and keeps the last value of a second', () => {
    const at = Date.parse('2025-01-01T10:00:00Z');
    expect(
      equitySeries([
        { at: at + 1000, cumulativeR: 2 },
        { at, cumulativeR: 1 },
        { at: at + 1200, cumulativeR: 3 },
      ]),
    ).toEqual([
      { time: toChartTime(at), value: 1 },
      { time: toChartTime(at + 1000), value: 3 },
    ]);
  });
});
