import { expect, test } from '@playwright/test';

import { screenshotPath } from './artifacts';

test('the performance page shows outcomes, score against outcomes, cumulative R and the walk-forward', async ({
  page,
}) => {
  await page.setViewportSize({ width: 1440, height: 1100 });
  await page.goto('/performance');
  await expect(page.getByRole('heading', { level: 2, name: 'Performance' })).toBeVisible();

  await expect(page.getByTestId('perf-count')).toBeVisible({ timeout: 20_000 });
  for (const id of ['perf-tp-rate', 'perf-profit-rate', 'perf-average-r', 'perf-profit-factor']) {
    await expect(page.getByTestId(id)).toBeVisible();
  }
  await expect(page.getByTestId('perf-tp-rate')).toContainText(
    'take-profit reached before stop-loss',
  );
  await expect(page.getByTestId('perf-profit-rate')).toContainText('net R > 0');
  for (const id of ['perf-by-direction', 'perf-by-timeframe', 'perf-by-score']) {
    await expect(page.getByTestId(id)).toBeVisible();
  }
  await expect(page.getByText('Score against outcomes', { exact: true })).toBeVisible();
  // The walk-forward shipped with the server, labelled as out of sample.
  const walk = page.getByTestId('walk-forward');
  await expect(walk).toContainText('Out of sample');
  await expect(walk.getByTestId('walk-forward-calibration').getByRole('row').nth(1)).toBeVisible();
  await expect(page.getByText('Cumulative R', { exact: true })).toBeVisible();

  const count = Number(await page.getByTestId('perf-count').locator('p').nth(1).textContent());
  if (count > 0) {
    await expect(page.getByTestId('calibration-chart')).toBeVisible();
    await expect(page.getByTestId('calibration-chart')).toContainText('Score at creation');
    await expect(page.getByTestId('equity-chart').locator('canvas').first()).toBeVisible();
  } else {
    await expect(page.getByTestId('performance-empty')).toBeVisible();
  }

  // The filters live in the URL.
  await page.getByText('7 d', { exact: true }).click();
  await expect(page).toHaveURL(/days=7/);

  await page.waitForTimeout(500);
  await page.screenshot({ path: screenshotPath('performance.png'), fullPage: true });
});
