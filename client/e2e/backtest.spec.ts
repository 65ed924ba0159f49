/**
 * Backtests against the full stack (the browser stage imports the shipped recorded candles as
 * history first): sign up -> Backtests -> a scanner backtest of two recorded pairs over a week ->
 * its progress events reach the page over /ws/account/ and the row turns DONE -> its result: the
 * metrics, the trades on the chart, the CSV download with as many trades as the metrics say -> a
 * second run with 25 bps of slippage -> both ticked: the comparison shows the dearer run's PnL
 * lower by the slippage it paid.
 */
import { type Page, expect, test } from '@playwright/test';
import { readFile } from 'node:fs/promises';

const SYMBOLS = ['CHZUSDT', 'XVGUSDT']; // the two pairs the browser stage imports as history

/** A figure as the page prints it ("1,234.50") as a number. */
const figure = (text: string | null) => Number((text ?? '').replace(/,/g, ''));
const START = '2025-12-17';
const END = '2025-12-24';

async function fillWindow(page: Page): Promise<void> {
  const form = page.getByRole('form', { name: 'New backtest' });
  // The tags input keeps the focus after each Enter: the symbols are typed one after the other.
  await form.getByPlaceholder('BTCUSDT, then Enter').click();
  for (const symbol of SYMBOLS) {
    await page.keyboard.type(symbol);
    await page.keyboard.press('Enter');
  }
  await form.getByRole('textbox', { name: 'Start (UTC)' }).fill(START);
  await form.getByRole('textbox', { name: 'End (UTC)' }).fill(END);
}

/** Starts a backtest of what the form holds, with this slippage; returns its id. */
async function startBacktest(page: Page, slippageBps: string): Promise<string> {
  const form = page.getByRole('form', { name: 'New backtest' });
  await form.getByRole('textbox', { name: 'Slippage (bps)' }).fill(slippageBps);
  const created = page.waitForResponse(
    (r) => r.url().endsWith('/api/backtests/') && r.request().method() === 'POST',
  );
  await form.getByRole('button', { name: 'Start backtest' }).click();
  const answer = await created;
  expect(answer.status(), await answer.text()).toBe(201);
  return String(((await answer.json()) as { id: number }).id);
}

test('start a backtest, watch its progress, open its result, compare two runs', async ({
  page,
}) => {
  test.setTimeout(180_000);
  const progress: { id: number; progress: number; type: string }[] = [];
  page.on('websocket', (socket) => {
    if (!socket.url().includes('/ws/account/')) return;
    socket.on('framereceived', ({ payload }) => {
      const frame = JSON.parse(String(payload)) as {
        type: string;
        events?: unknown[];
        data?: unknown;
      };
      for (const event of (frame.type === 'batch' ? frame.events : [frame]) as {
        type: string;
        data: { backtest_id: number; progress: number };
      }[]) {
        if (event.type.startsWith('backtest_')) {
          progress.push({
            id: event.data.backtest_id,
            progress: event.data.progress,
            type: event.type,
          });
        }
      }
    });
  });

  const tag = `${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
  await page.goto('/sign-up');
  await page.getByLabel('Email').fill(`backtest-${tag}@example.com`);
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill('Kestrel-Quartz-4821');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL((url) => url.pathname === '/');
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Backtests' })
    .click();
  await expect(page).toHaveURL((url) => url.pathname === '/backtests');
  await expect(page.getByText('No backtest yet: start one.')).toBeVisible();

  // A scanner backtest: it runs on the worker; its progress comes over the private channel.
  await fillWindow(page);
  const first = await startBacktest(page, '0');
  const row = page.getByTestId(`backtest-row-${first}`);
  await expect(row).toBeVisible();
  await expect(row).toHaveAttribute('data-status', 'DONE', { timeout: 120_000 });
  const mine = progress.filter((p) => String(p.id) === first);
  expect(mine.filter((p) => p.type === 'backtest_progress').map((p) => p.progress)).toEqual([
    20, 60, 85,
  ]);
  expect(mine.at(-1)).toMatchObject({ type: 'backtest_finished', progress: 100 });

  // Its result: figures, trades on the chart, and the CSV with every trade.
  await row.click();
  const result = page.getByTestId('backtest-result');
  await expect(result).toHaveAttribute('data-id', first);
  const trades = figure(await result.locator('[data-metric="trades"]').textContent());
  expect(trades).toBeGreaterThan(0);
  await expect(result.getByTestId('equity-chart').locator('canvas').first()).toBeVisible();
  await expect(result.getByTestId('trades-chart')).not.toHaveAttribute('data-markers', '0');
  await expect(result.getByTestId('breakdown-symbol')).toContainText(/CHZUSDT|XVGUSDT/);
  const download = page.waitForEvent('download');
  await result.getByRole('button', { name: 'Download trades (CSV)' }).click();
  const csv = await readFile(await (await download).path(), 'utf8');
  const lines = csv.trim().split('\n');
  expect(lines[0]).toContain('symbol,direction,entry_time');
  expect(lines.length - 1).toBe(trades);
  const firstPnl = figure(await result.locator('[data-metric="total_pnl"]').textContent());

  // A second run of the same form, dearer by 25 bps of slippage on every fill: same trades, lower PnL.
  const second = await startBacktest(page, '25');
  await expect(page.getByTestId(`backtest-row-${second}`)).toHaveAttribute('data-status', 'DONE', {
    timeout: 120_000,
  });
  await page.getByLabel(`Compare backtest ${first}`).check();
  await page.getByLabel(`Compare backtest ${second}`).check();
  const compare = page.getByTestId('backtest-compare');
  await expect(compare.getByRole('columnheader', { name: `#${second}` })).toBeVisible();
  const pnlRow = compare.getByRole('row').filter({ hasText: 'Total PnL (USDT)' });
  const cells = (await pnlRow.getByRole('cell').allTextContents()).slice(1).map(figure);
  expect(cells[0]).toBeCloseTo(firstPnl, 2);
  expect(cells[1]).toBeLessThan(cells[0] ?? 0);
});
