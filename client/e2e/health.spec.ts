import { expect, test } from '@playwright/test';

import { screenshotPath } from './artifacts';

const PARTS = ['Database', 'Redis', 'Channel layer', 'Celery'];

test('dashboard shows every part of the system as healthy', async ({ page }) => {
  await page.goto('/');

  await expect(page).toHaveTitle('Binance Signal Scanner');
  await expect(
    page.getByRole('banner').getByRole('heading', { name: 'Binance Signal Scanner' }),
  ).toBeVisible();

  const panel = page.getByRole('region', { name: 'System status' });
  await expect(panel).toBeVisible();

  // Part by part first, so a failure names the part that is down.
  const checks = panel.getByRole('list', { name: 'Checks' });
  await expect(checks).toBeVisible();
  for (const part of PARTS) {
    const row = checks.getByRole('listitem').filter({ hasText: part });
    await expect(row, `${part} check is listed`).toHaveCount(1);
    await expect(row.getByText('OK', { exact: true }), `${part} is OK`).toBeVisible();
  }
  await expect(panel.getByText('Failed', { exact: true })).toHaveCount(0);
  await expect(panel.getByText('All systems operational')).toBeVisible();

  await page.screenshot({ path: screenshotPath('dashboard-health.png'), fullPage: true });
});
