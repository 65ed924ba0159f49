import { expect, type Locator, type Page } from '@playwright/test';

/** The backend replays markets fast, but the first signal may still take a while. */
export const FIRST_SIGNAL_TIMEOUT_MS = 60_000;

export const cards = (page: Page): Locator => page.getByTestId('signal-card');
export const badge = (page: Page): Locator => page.getByTestId('connection-badge');

/** Opens the dashboard and waits for the live connection. */
export async function openDashboard(page: Page, query = ''): Promise<void> {
  await page.goto(`/${query}`);
  await expect(badge(page), 'the live connection opens').toHaveAttribute('data-state', 'open', {
    timeout: 20_000,
  });
}

/** Times (ms) of the page's signal list fetches (`GET /api/signals/?...`), from now on. */
export function signalListRequests(page: Page): number[] {
  const times: number[] = [];
  page.on('request', (request) => {
    if (new URL(request.url()).pathname === '/api/signals/') times.push(Date.now());
  });
  return times;
}

/** Waits until the grid shows at least `count` cards (from the snapshot or the socket). */
export async function waitForCards(page: Page, count = 1): Promise<void> {
  await expect
    .poll(() => cards(page).count(), {
      message: `at least ${count} signal card(s) within ${FIRST_SIGNAL_TIMEOUT_MS / 1000} s`,
      timeout: FIRST_SIGNAL_TIMEOUT_MS,
    })
    .toBeGreaterThanOrEqual(count);
}

/** `attribute` of every card, in grid order. */
export function cardValues(page: Page, attribute: string): Promise<string[]> {
  return cards(page).evaluateAll(
    (elements, name) => elements.map((element) => element.getAttribute(name) ?? ''),
    attribute,
  );
}
