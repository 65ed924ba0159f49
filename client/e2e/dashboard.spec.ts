import { expect, test } from '@playwright/test';

import { screenshotPath } from './artifacts';
import { badge, cardValues, openDashboard, waitForCards } from './dashboard';

test('the dashboard loads, goes live and shows the scanner', async ({ page }) => {
  await openDashboard(page);
  await expect(badge(page)).toHaveText('Live');

  for (const id of ['stat-active', 'stat-score', 'stat-updates', 'stat-split', 'stat-scanner']) {
    await expect(page.getByTestId(id), `${id} card`).toBeVisible();
  }
  await expect(page.getByTestId('stat-scanner')).not.toContainText('Cannot reach the server');
  await expect(page.getByRole('search', { name: 'Signal filters' })).toBeVisible();
});

test('LONG badges are green and SHORT badges red', async ({ page }) => {
  test.setTimeout(90_000);
  await openDashboard(page);
  await waitForCards(page);
  const colours = await page.evaluate(() => {
    // Resolve the theme's colours through an element, as the browser paints them.
    const probe = document.createElement('span');
    document.body.append(probe);
    const paint = (variable: string) => {
      probe.style.background = `var(${variable})`;
      return getComputedStyle(probe).backgroundColor;
    };
    const expected = {
      LONG: paint('--mantine-color-green-filled'),
      SHORT: paint('--mantine-color-red-filled'),
    };
    probe.remove();
    const shown = [
      ...document.querySelectorAll('[data-testid="signal-card"] [data-direction]'),
    ].map((badge) => ({
      direction: badge.getAttribute('data-direction') ?? '',
      colour: getComputedStyle(badge).backgroundColor,
    }));
    return { expected, shown };
  });
  expect(colours.shown.length).toBeGreaterThan(0);
  for (const { direction, colour } of colours.shown) {
    expect(colour, `${direction} badge`).toBe(colours.expected[direction as 'LONG' | 'SHORT']);
  }
});

test('a signal arrives over the socket', async ({ page }) => {
  test.setTimeout(90_000);
  await openDashboard(page);
  // data-live marks a card that a socket event created or changed (a snapshot card has none).
  await expect(
    page.locator('[data-testid="signal-card"][data-live="true"]').first(),
    'a signal created or updated live within 60 s',
  ).toBeVisible({ timeout: 60_000 });
  expect(Number(await badge(page).getAttribute('data-events'))).toBeGreaterThan(0);
});

test('screenshots of the dashboard, light and dark', async ({ page }) => {
  test.setTimeout(90_000);
  await page.setViewportSize({ width: 1440, height: 1000 });
  await openDashboard(page);
  await waitForCards(page);
  // Let the entry animations finish.
  await page.waitForTimeout(1000);
  await page.screenshot({ path: screenshotPath('dashboard-light.png') });

  await page.getByRole('button', { name: 'Switch to dark theme' }).click();
  await expect(page.locator('html')).toHaveAttribute('data-mantine-color-scheme', 'dark');
  await page.mouse.move(700, 600); // away from the toggle and its tooltip
  await page.waitForTimeout(500);
  await page.screenshot({ path: screenshotPath('dashboard-dark.png') });
  expect((await cardValues(page, 'data-id')).length).toBeGreaterThan(0);
});
