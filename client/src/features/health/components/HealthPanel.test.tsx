import { act, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';

import { healthQueryKey } from '@/features/health/api/getHealth';
import { HealthPanel } from '@/features/health/components/HealthPanel';
import { healthHandlers } from '@/testing/mocks/health';
import { server } from '@/testing/mocks/server';
import { renderWithProviders } from '@/testing/test-utils';

async function findPanel() {
  return within(await screen.findByRole('region', { name: 'System status' }));
}

/** The list item of one check, found by its label. */
function checkRow(label: string) {
  const panel = screen.getByRole('region', { name: 'System status' });
  const row = within(panel)
    .getAllByRole('listitem')
    .find((item) => within(item).queryByText(label));
  if (!row) throw new Error(`no check row for ${label}`);
  return within(row);
}

describe('HealthPanel', () => {
  it('shows every part as OK when the backend is healthy', async () => {
    server.use(healthHandlers.healthy());
    renderWithProviders(<HealthPanel />);

    const panel = await findPanel();
    expect(await panel.findByText('All systems operational')).toBeInTheDocument();
    const rows = panel.getAllByRole('listitem');
    expect(rows.map((row) => row.querySelector('p')?.textContent)).toEqual([
      'Database',
      'Redis',
      'Channel layer',
      'Celery',
    ]);
    for (const label of ['Database', 'Redis', 'Channel layer', 'Celery']) {
      expect(checkRow(label).getByText('OK')).toBeInTheDocument();
    }
    expect(checkRow('Celery').getByText('35.0 ms · 1 worker')).toBeInTheDocument();
    expect(panel.queryByText('Failed')).not.toBeInTheDocument();
  });

  it('reads a 503 report as data and marks the failed part with its error', async () => {
    server.use(healthHandlers.celeryDown());
    renderWithProviders(<HealthPanel />);

    const panel = await findPanel();
    expect(await panel.findByText('Degraded')).toBeInTheDocument();
    const celery = checkRow('Celery');
    expect(celery.getByText('Failed')).toBeInTheDocument();
    expect(celery.getByText('No Celery workers replied')).toBeInTheDocument();
    expect(checkRow('Database').getByText('OK')).toBeInTheDocument();
    expect(panel.queryByText('System status unavailable')).not.toBeInTheDocument();
  });

  it('shows an error with a retry button when the server cannot be reached', async () => {
    server.use(healthHandlers.networkError());
    renderWithProviders(<HealthPanel />);

    const panel = await findPanel();
    expect(await panel.findByText('System status unavailable')).toBeInTheDocument();
    expect(panel.getByText('Cannot reach the server.')).toBeInTheDocument();

    server.use(healthHandlers.healthy());
    await userEvent.click(panel.getByRole('button', { name: 'Retry' }));
    expect(await panel.findByText('All systems operational')).toBeInTheDocument();
  });

  it('keeps the last report and warns when a later refresh fails', async () => {
    server.use(healthHandlers.healthy());
    const { queryClient } = renderWithProviders(<HealthPanel />);
    const panel = await findPanel();
    expect(await panel.findByText('All systems operational')).toBeInTheDocument();

    server.use(healthHandlers.networkError());
    await act(() => queryClient.refetchQueries({ queryKey: healthQueryKey }));

    expect(await panel.findByText('Refresh failed')).toBeInTheDocument();
    expect(
      panel.getByText(/Cannot reach the server\. Showing the report from/),
    ).toBeInTheDocument();
    expect(checkRow('Database').getByText('OK')).toBeInTheDocument();
  });

  it('shows a loading state until the first report arrives', async () => {
    server.use(healthHandlers.healthy());
    renderWithProviders(<HealthPanel />);

    const panel = await findPanel();
    expect(panel.getByText('Checking services…')).toBeInTheDocument();
    expect(await panel.findByText('All systems operational')).toBeInTheDocument();
    expect(panel.queryByText('Checking services…')).not.toBeInTheDocument();
  });
});
