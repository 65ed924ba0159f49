/**
 * A paper trade in the browser against the full stack (sandbox exchange, Celery worker, trading
 * process): sign up -> Trading -> market LONG from the ticket -> the position appears and its
 * unrealised PnL moves with the mark price -> close it -> the history shows both orders FILLED
 * with their fills and fees.
 */
import { expect, test } from '@playwright/test';
import { screenshotPath } from './artifacts';

test('place a paper order, watch the position, close it, see the fills', async ({ page }) => {
  test.setTimeout(150_000);
  const tag = `${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
  const email = `ticket-${tag}@example.com`;

  await page.goto('/sign-up');
  await page.getByLabel('Email').fill(email);
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill('Kestrel-Quartz-4821');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL((url) => url.pathname === '/');

  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Trading' })
    .click();
  await expect(page).toHaveURL((url) => url.pathname === '/trading');
  await expect(page.getByTestId('venue-badge').first()).toHaveText('PAPER (sandbox)');

  // The ticket: MARKET LONG 0.01 BTCUSDT.
  const ticket = page.getByRole('form', { name: 'Order ticket' });
  await ticket.getByRole('textbox', { name: 'Symbol' }).fill('BTCUSDT');
  await ticket.getByRole('textbox', { name: 'Quantity' }).fill('0.01');
  await ticket.getByRole('button', { name: 'Buy / Long' }).click();
  await expect(ticket.getByRole('status')).toContainText('sent');

  // The position arrives (user data stream or the reconciliation when the stream connects).
  const position = page.getByTestId('position-BTCUSDT');
  await expect(position).toBeVisible({ timeout: 45_000 });
  await expect(position).toContainText('0.01');
  await expect(position).toContainText('LONG');

  // Its unrealised PnL follows the mark price (position_updated, about once a second).
  const pnl = position.getByTestId('unrealized-pnl');
  const first = await pnl.textContent();
  await expect(pnl).not.toHaveText(first ?? '', { timeout: 45_000 });

  // Close it: the position goes away.
  await position.getByRole('button', { name: 'Close' }).click();
  await expect(position).toBeHidden({ timeout: 45_000 });

  // The history: both orders filled; a row opens its fills with the fee.
  await page.getByRole('tab', { name: 'Order history' }).click();
  const history = page.getByRole('table', { name: 'Order history' });
  const rows = history.getByTestId('order-row');
  await expect(rows).toHaveCount(2, { timeout: 30_000 });
  await expect(rows.nth(0)).toContainText('SELL');
  await expect(rows.nth(0)).toContainText('FILLED');
  await expect(rows.nth(1)).toContainText('BUY');
  await expect(rows.nth(1)).toContainText('FILLED');
  await rows.first().click();
  const fills = page.getByTestId('fills');
  await expect(fills).toBeVisible();
  await expect(fills).toContainText('USDT (taker)');
  await page.screenshot({ path: screenshotPath('trading-paper-order.png'), fullPage: true });
});
