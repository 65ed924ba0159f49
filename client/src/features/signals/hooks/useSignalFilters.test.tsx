import { act, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useLocation } from 'react-router';
import { describe, expect, it } from 'vitest';

import { SignalFiltersBar } from '@/features/signals/components/SignalFiltersBar';
import { useSignalFilters } from '@/features/signals/hooks/useSignalFilters';
import { renderWithProviders } from '@/testing/test-utils';

function FiltersWithUrl() {
  const [filters, setFilters] = useSignalFilters();
  const location = useLocation();
  return (
    <>
      <SignalFiltersBar filters={filters} onChange={setFilters} />
      <output data-testid="search">{location.search}</output>
    </>
  );
}

const search = () => screen.getByTestId('search').textContent;

describe('signal filters and the URL', () => {
  it('shows the filters a shared URL carries', () => {
    renderWithProviders(<FiltersWithUrl />, {
      route: '/?direction=SHORT&timeframe=1h&min_score=80&status=tp_hit&search=eth&sort=latest',
    });
    const direction = within(screen.getByTestId('filter-direction'));
    expect(direction.getByRole('radio', { name: 'SHORT' })).toBeChecked();
    expect(screen.getByRole('combobox', { name: 'Timeframe' })).toHaveValue('1h');
    expect(screen.getByRole('combobox', { name: 'Status' })).toHaveValue('Take-profit hit');
    expect(screen.getByRole('slider', { name: 'Minimum score' })).toHaveAttribute(
      'aria-valuenow',
      '80',
    );
    expect(screen.getByRole('textbox', { name: 'Symbol' })).toHaveValue('eth');
    expect(screen.getByRole('combobox', { name: 'Sort by' })).toHaveValue('Latest');
  });

  it('writes each change into the query string', async () => {
    const user = userEvent.setup();
    renderWithProviders(<FiltersWithUrl />, { route: '/?bench=1' });

    await user.click(screen.getByRole('radio', { name: 'LONG' }));
    expect(search()).toBe('?bench=1&direction=LONG');

    await user.click(screen.getByRole('combobox', { name: 'Sort by' }));
    await user.click(await screen.findByRole('option', { name: 'Symbol A-Z' }));
    expect(search()).toBe('?bench=1&direction=LONG&sort=symbol');

    await user.click(screen.getByRole('combobox', { name: 'Timeframe' }));
    await user.click(await screen.findByRole('option', { name: '15m' }));
    expect(search()).toContain('timeframe=15m');

    await user.type(screen.getByRole('textbox', { name: 'Symbol' }), 'sol');
    expect(search()).toContain('search=sol');

    const slider = screen.getByRole('slider', { name: 'Minimum score' });
    act(() => {
      slider.focus();
    });
    await user.keyboard('{ArrowRight}');
    expect(search()).toContain('min_score=5');

    await user.click(screen.getByRole('button', { name: 'Reset' }));
    expect(search()).toBe('?bench=1');
  });
});
