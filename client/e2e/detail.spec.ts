import { expect, test } from '@playwright/test';

import { screenshotPath } from './artifacts';
import { cards, openDashboard, waitForCards } from './dashboard';

test('a signal opens on its own page with a live candlestick chart', async ({ page }) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1440, height: 1100 });
  await openDashboard(page);
  await waitForCards(page);

  const card = cards(page).first();
  const symbol = (await card.getAttribute('data-symbol')) ?? '';
  const id = (await card.getAttribute('data-id')) ?? '';
  await card.getByRole('link', { name: symbol }).click();
  await expect(page).toHaveURL(new RegExp(`/signals/${id}$`));
  await expect(page.getByRole('heading', { level: 2, name: symbol })).toBeVisible();

  const chart = page.getByTestId('candle-chart');
  await expect(chart.locator('canvas').first(), 'the chart draws into a canvas').toBeVisible({
    timeout: 20_000,
  });
  await expect.poll(async () => Number(await chart.getAttribute('data-bars'))).toBeGreaterThan(0);

  // The canvas has pixels on it, not just a blank element.
  const painted = await chart.locator('canvas').evaluateAll((canvases) =>
    canvases.some((canvas) => {
      const { width, height } = canvas as HTMLCanvasElement;
      if (width === 0 || height === 0) return false;
      const context = (canvas as HTMLCanvasElement).getContext('2d');
      if (!context) return false;
      const pixels = context.getImageData(0, 0, width, height).data;
      for (let i = 3; i < pixels.length; i += 4 * 97) if (pixels[i] !== 0) return true;
      return false;
    }),
  );
  expect(painted, 'something is drawn on the chart').toBe(true);

  await expect(page.getByText('History of changes')).toBeVisible();
  await expect(page.getByTestId('signal-changes').getByRole('row').nth(1)).toBeVisible();
  await page.waitForTimeout(500);
  await page.screenshot({ path: screenshotPath('detail.png'), fullPage: true });
});

test('an unknown signal says so', async ({ page }) => {
  await page.goto('/signals/999999999');
  await expect(page.getByText(/Signal not found|Signal unavailable/)).toBeVisible();
});
