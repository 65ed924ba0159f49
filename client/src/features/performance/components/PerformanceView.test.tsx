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
  it('shows the overall figures and the breakdowns', async () => {
    const requests: URL[] = [];
    server.use(performanceHandler(performanceBody(), requests));
    renderWithProviders(<PerformanceView />);

    expect(await screen.findByTestId('perf-count')).toHaveTextContent('40');
    expect(screen.getByTestId('perf-win-rate')).toHaveTextContent('45.0%');
    expect(screen.getByTestId('perf-expectancy')).toHaveTextContent('+0.21R');
    expect(screen.getByTestId('perf-profit-factor')).toHaveTextContent('1.37');
    expect(requests[0]?.searchParams.toString()).toBe('days=30');

    expect(rows('perf-by-direction')).toEqual([
      ['LONG', '25(12W/13L)', '48.0%', '+0.20R', '1.40'],
      ['SHORT', '15(6W/9L)', '40.0%', '-0.10R', '0.80'],
    ]);
    // Timeframes and confidence buckets in their natural order; no losses: infinite factor.
    expect(rows('perf-by-timeframe').map((row) => row[0])).toEqual(['5m', '1h']);
    expect(rows('perf-by-confidence').map((row) => [row[0], row[4]])).toEqual([
      ['70-75', '1.40'],
      ['75-80', '∞'],
      ['80-85', '1.40'],
    ]);
  });

  it('draws the calibration against the diagonal and lists closed signals', async () => {
    server.use(performanceHandler());
    renderWithProviders(<PerformanceView />);

    const chart = await screen.findByTestId('calibration-chart');
    expect(chart.querySelectorAll('circle')).toHaveLength(2);
    expect(screen.getByTestId('calibration-diagonal')).toBeInTheDocument();
    expect(chart.querySelector('title')?.textContent).toBe(
      '70-75: 35.0% hit rate over 20 signals (mean confidence 72.4)',
    );
    expect(screen.getByTestId('equity-chart')).toHaveAttribute('data-points', '2');

    const [row, archived] = rows('latest-closed');
    expect(row?.slice(1)).toEqual([
      'LONGSOLUSDT 5m',
      '80%',
      '150.00',
      '152.35',
      'Take-profit',
      '+1.67R',
      '+1.24%',
    ]);
    expect(screen.getByRole('link', { name: 'SOLUSDT' })).toHaveAttribute('href', '/signals/77');
    // An archived outcome has no page of its own.
    expect(archived?.slice(1)).toEqual([
      'SHORTADAUSDT 1h',
      '74%',
      '0.9000',
      '0.9100',
      'Stop-loss',
      '-1.00R',
      '-1.11%',
    ]);
    expect(screen.queryByRole('link', { name: 'ADAUSDT' })).not.toBeInTheDocument();
  });

  it('keeps the timeframe and period in the URL and asks the API for them', async () => {
    const requests: URL[] = [];
    server.use(performanceHandler(performanceBody(), requests));
    renderWithProviders(<PerformanceView />, { route: '/performance?timeframe=1h&days=7' });
    await screen.findByTestId('perf-count');
    expect(requests[0]?.searchParams.toString()).toBe('timeframe=1h&days=7');

    await userEvent.click(screen.getByText('90 d'));
    await vi.waitFor(() => {
      expect(requests.at(-1)?.searchParams.toString()).toBe('timeframe=1h&days=90');
    });
  });

  it('says when nothing has closed yet', async () => {
    server.use(performanceHandler(emptyPerformanceBody()));
    renderWithProviders(<PerformanceView />);
    expect(await screen.findByTestId('performance-empty')).toBeInTheDocument();
    expect(screen.getByTestId('perf-win-rate')).toHaveTextContent('—');
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
