import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';

import { AppLayout } from '@/app/layout/AppLayout';
import { COLOR_SCHEME_STORAGE_KEY } from '@/app/theme';
import { renderWithProviders } from '@/testing/test-utils';

const scheme = () => document.documentElement.getAttribute('data-mantine-color-scheme');

describe('AppLayout', () => {
  it('shows the product name and the main navigation', () => {
    renderWithProviders(<AppLayout />);
    expect(screen.getByRole('heading', { level: 1, name: 'Binance Signal Scanner' })).toBeVisible();
    const nav = within(screen.getByRole('navigation', { name: 'Main' }));
    expect(nav.getAllByRole('link').map((link) => link.textContent)).toEqual([
      'Dashboard',
      'Trading',
      'Strategies',
      'Backtests',
      'Performance',
    ]);
    expect(nav.getByRole('link', { name: 'Dashboard' })).toHaveAttribute('data-active', 'true');
  });
});

describe('theme toggle', () => {
  it('switches between light and dark', async () => {
    renderWithProviders(<AppLayout />);
    expect(scheme()).toBe('light');

    await userEvent.click(screen.getByRole('button', { name: 'Switch to dark theme' }));
    expect(scheme()).toBe('dark');

    await userEvent.click(screen.getByRole('button', { name: 'Switch to light theme' }));
    expect(scheme()).toBe('light');
  });

  it('remembers the choice across reloads', async () => {
    const first = renderWithProviders(<AppLayout />);
    await userEvent.click(screen.getByRole('button', { name: 'Switch to dark theme' }));
    expect(localStorage.getItem(COLOR_SCHEME_STORAGE_KEY)).toBe('dark');
    first.unmount();
    document.documentElement.removeAttribute('data-mantine-color-scheme');

    renderWithProviders(<AppLayout />);
    expect(scheme()).toBe('dark');
    expect(screen.getByRole('button', { name: 'Switch to light theme' })).toBeVisible();
  });
});
