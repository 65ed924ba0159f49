import { expect, test, type Page } from '@playwright/test';

import { cards, cardValues, openDashboard, waitForCards } from './dashboard';

/** Picks `option` in the Mantine select whose input has `testId`. */
async function choose(page: Page, testId: string, option: string) {
  await page.getByTestId(testId).click();
  await page.getByRole('option', { name: option, exact: true }).click();
}

function isSorted(values: string[], compare: (a: string, b: string) => number): boolean {
  return values.every((value, i) => i === 0 || compare(values[i - 1] ?? '', value) <= 0);
}

test.describe('filters and sorting', () => {
  test.setTimeout(120_000);

  test.beforeEach(async ({ page }) => {
    await openDashboard(page);
    await waitForCards(page);
  });

  test('direction narrows the grid and is kept in the URL', async ({ page }) => {
    const directions = await cardValues(page, 'data-direction');
    const pick = directions.includes('SHORT') ? 'SHORT' : 'LONG';
    await page.getByTestId('filter-direction').getByText(pick, { exact: true }).click();
    await expect(page).toHaveURL(new RegExp(`direction=${pick}`));
    await expect
      .poll(() => cardValues(page, 'data-direction'))
      .not.toContain(pick === 'LONG' ? 'SHORT' : 'LONG');
    expect(await cards(page).count()).toBeGreaterThan(0);

    // A shared link opens the same view.
    await page.reload();
    await expect(
      page.getByTestId('filter-direction').getByRole('radio', { name: pick }),
    ).toBeChecked();
    await waitForCards(page);
    expect(await cardValues(page, 'data-direction')).not.toContain(
      pick === 'LONG' ? 'SHORT' : 'LONG',
    );
  });

  test('sorting reorders the grid', async ({ page }) => {
    await choose(page, 'sort-order', 'Symbol A-Z');
    await expect(page).toHaveURL(/sort=symbol/);
    await expect
      .poll(async () =>
        isSorted(await cardValues(page, 'data-symbol'), (a, b) => a.localeCompare(b)),
      )
      .toBe(true);

    await choose(page, 'sort-order', 'Latest');
    await expect(page).toHaveURL(/sort=latest/);
    await expect
      .poll(async () =>
        isSorted(await cardValues(page, 'data-created-at'), (a, b) => Number(b) - Number(a)),
      )
      .toBe(true);

    await choose(page, 'sort-order', 'Score');
    await expect(page).not.toHaveURL(/sort=/);
    await expect
      .poll(async () =>
        isSorted(await cardValues(page, 'data-score'), (a, b) => Number(b) - Number(a)),
      )
      .toBe(true);
  });

  test('symbol search and minimum score', async ({ page }) => {
    const [symbol = ''] = await cardValues(page, 'data-symbol');
    const fragment = symbol.replace(/USDT$/, '');
    await page.getByTestId('filter-search').fill(fragment);
    await expect(page).toHaveURL(new RegExp(`search=${fragment}`));
    await expect
      .poll(async () => (await cardValues(page, 'data-symbol')).every((s) => s.includes(fragment)))
      .toBe(true);
    expect(await cards(page).count()).toBeGreaterThan(0);

    await page.getByRole('button', { name: 'Reset' }).click();
    await expect(page).not.toHaveURL(/search=/);

    const scores = (await cardValues(page, 'data-score')).map(Number);
    const bar = Math.floor(Math.max(...scores) / 5) * 5;
    await page.goto(`/?min_score=${bar}`);
    await waitForCards(page);
    expect((await cardValues(page, 'data-score')).map(Number).every((c) => c >= bar)).toBe(true);
    await expect(page.getByTestId('filter-score').getByRole('slider')).toHaveAttribute(
      'aria-valuenow',
      String(bar),
    );
  });

  test('timeframe and status', async ({ page }) => {
    const [timeframe = '5m'] = await cardValues(page, 'data-timeframe');
    await choose(page, 'filter-timeframe', timeframe);
    await expect(page).toHaveURL(new RegExp(`timeframe=${timeframe}`));
    await expect
      .poll(async () => (await cardValues(page, 'data-timeframe')).every((tf) => tf === timeframe))
      .toBe(true);

    await choose(page, 'filter-status', 'All ended');
    await expect(page).toHaveURL(/status=closed/);
    // Ended signals may not exist yet; either way the page says what it shows.
    await expect(page.getByTestId('signals-summary')).toContainText('all ended signals');
  });
});
