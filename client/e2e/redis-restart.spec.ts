/**
 * Redis restarted under the open dashboard, its data gone: the dispatcher's sequence counter
 * starts again under a new epoch. The page sees a frame of the new epoch, refetches the signal
 * list (it may have missed events while Redis was away), and live frames keep coming. Needs
 * E2E_REDIS_RESTART_CMD (scripts/test.sh sets it: the browser stage runs on a Redis of its own).
 * The stack is not restarted after it: the specs that run later (strategies, trading) run on the
 * processes that lived through the restart.
 */
import { expect, test } from '@playwright/test';

import { runCommand } from './commands';
import { badge, openDashboard, signalListRequests } from './dashboard';

const RESTART_CMD = process.env.E2E_REDIS_RESTART_CMD;

interface Seen {
  at: number;
  type: string;
  epoch?: string;
}

test('the dashboard resyncs after Redis restarts under it', async ({ page }) => {
  test.skip(!RESTART_CMD, 'E2E_REDIS_RESTART_CMD is not set (scripts/test.sh browser sets it).');
  test.setTimeout(240_000);
  const frames: Seen[] = [];
  page.on('websocket', (socket) => {
    if (!socket.url().includes('/ws/signals/')) return;
    socket.on('framereceived', ({ payload }) => {
      const frame = JSON.parse(String(payload)) as { type: string; epoch?: string };
      frames.push({
        at: Date.now(),
        type: frame.type,
        ...(frame.epoch ? { epoch: frame.epoch } : {}),
      });
    });
  });
  const listRequests = signalListRequests(page);

  await openDashboard(page);
  await expect
    .poll(() => frames.filter((f) => f.epoch !== undefined).length, {
      message: 'a sequenced frame before the restart',
      timeout: 60_000,
    })
    .toBeGreaterThan(0);
  const before = frames.filter((f) => f.epoch !== undefined).at(-1)?.epoch;

  const restartedAt = Date.now();
  const { code, output } = await runCommand('E2E_REDIS_RESTART_CMD', RESTART_CMD ?? '', 60_000);
  expect(code, `E2E_REDIS_RESTART_CMD failed:\n${output}`).toBe(0);
  const backAt = Date.now();

  const renewed = () =>
    frames.filter((f) => f.at > restartedAt && f.epoch !== undefined && f.epoch !== before);
  await expect
    .poll(() => renewed().length, {
      message: 'a frame of the new epoch (the counter restarted with Redis)',
      timeout: 120_000,
    })
    .toBeGreaterThan(0);
  // The page loaded its list before the restart, and nothing but a resync (a gap, a new epoch, a
  // reconnection) fetches it again: a fetch once Redis is back is the page catching up.
  await expect
    .poll(() => listRequests.filter((at) => at >= backAt).length, {
      message: 'the signal list is refetched once Redis is back',
      timeout: 60_000,
    })
    .toBeGreaterThan(0);
  await expect
    .poll(() => renewed().filter((f) => f.type !== 'pong' && f.type !== 'welcome').length, {
      message: 'live events keep coming after the restart',
      timeout: 120_000,
    })
    .toBeGreaterThan(1);
  await expect(badge(page)).toHaveAttribute('data-state', 'open');
  const health = await page.request.get('/api/health/');
  expect(health.status(), await health.text()).toBe(200);
});
