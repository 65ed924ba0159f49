/**
 * The backend goes away and comes back: the badge leaves green, returns to green, and the page
 * refetches what it may have missed. Needs E2E_RESTART_CMD, a shell command that stops the
 * backend's web process and starts it again, returning once it is restarted.
 */
import { expect, test } from '@playwright/test';

import { runCommand } from './commands';
import { badge, openDashboard, signalListRequests } from './dashboard';

const RESTART_CMD = process.env.E2E_RESTART_CMD;

interface StateLog {
  __badgeStates?: string[];
}

test('the dashboard reconnects and resyncs after the backend restarts', async ({ page }) => {
  test.skip(
    !RESTART_CMD,
    'E2E_RESTART_CMD is not set: give it a shell command that stops and restarts the backend web process (it should return once the process is back).',
  );
  test.setTimeout(240_000);

  await openDashboard(page);
  await page.evaluate(() => {
    const element = document.querySelector('[data-testid="connection-badge"]');
    if (!element) throw new Error('no connection badge');
    const log: string[] = [];
    (window as StateLog).__badgeStates = log;
    new MutationObserver(() => {
      log.push(
        `${element.getAttribute('data-state') ?? ''}/${element.getAttribute('data-color') ?? ''}`,
      );
    }).observe(element, { attributes: true, attributeFilter: ['data-state'] });
  });
  const listRequests = signalListRequests(page);

  const restartedAt = Date.now();
  const restarted = runCommand('E2E_RESTART_CMD', RESTART_CMD ?? '', 180_000);

  await expect
    .poll(() => page.evaluate(() => (window as StateLog).__badgeStates ?? []), {
      message: 'the badge turns red while the backend is down',
      timeout: 120_000,
    })
    .toContain('reconnecting/red');

  const { code, output } = await restarted;
  expect(code, `E2E_RESTART_CMD failed:\n${output}`).toBe(0);

  await expect(badge(page), 'green again once the backend is back').toHaveAttribute(
    'data-state',
    'open',
    { timeout: 90_000 },
  );
  await expect
    .poll(() => listRequests.filter((at) => at > restartedAt).length, {
      message: 'the signal list is refetched after the reconnect',
      timeout: 15_000,
    })
    .toBeGreaterThan(0);
});
