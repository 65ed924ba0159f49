/**
 * A new user from sign-up to a funded paper account, in the browser against the full stack:
 * sign up -> signed in -> Exchange accounts -> the paper account with its sandbox USDT balance
 * (screenshot for the docs) -> a rename in a second tab reaches the first over the private
 * channel -> sign out -> a private page sends to sign-in and back.
 *
 * Along the way: the private socket authenticates in its first frame, and no token ever appears
 * in a URL (page, request or socket).
 */
import { expect, test, type Page } from '@playwright/test';
import { screenshotPath } from './artifacts';

/** Written to artifacts/ on every run (a run never dirties the repository); the copy the README
 * shows, docs/signup-paper-account.png, is taken from it by hand. */
const SIGNUP_SCREENSHOT = screenshotPath('signup-paper-account.png');
/** The sandbox funds every new key with this (backend/sandbox/config.py). */
const STARTING_BALANCE = '10,000.00 USDT';
/** JWTs start with the base64 of `{"`: none may appear in a URL. */
const JWT_PREFIX = 'eyJ';

function watchUrls(page: Page, urls: string[]) {
  page.on('request', (request) => urls.push(request.url()));
  page.on('framenavigated', (frame) => urls.push(frame.url()));
  page.on('websocket', (socket) => urls.push(socket.url()));
}

/** The first frame the page sends on each `/ws/account/` socket it opens. */
function watchAccountSockets(page: Page, firstFrames: unknown[]) {
  page.on('websocket', (socket) => {
    if (!socket.url().endsWith('/ws/account/')) return;
    let first = true;
    socket.on('framesent', ({ payload }) => {
      if (!first) return;
      first = false;
      firstFrames.push(JSON.parse(String(payload)));
    });
  });
}

async function openAccountMenu(page: Page, email: string) {
  const menu = page.getByRole('banner').getByRole('button', { name: email });
  await expect(menu).toBeVisible();
  await menu.click();
}

test('sign up, see the funded paper account, sign out and back in', async ({ page, context }) => {
  test.setTimeout(90_000);
  const tag = `${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
  const email = `trader-${tag}@example.com`;
  const password = 'Kestrel-Quartz-4821';
  const urls: string[] = [];
  const firstFrames: unknown[] = [];
  watchUrls(page, urls);
  watchAccountSockets(page, firstFrames);

  // Sign up: the account is made and the user lands signed in.
  await page.goto('/sign-up');
  await page.getByLabel('Email').fill(email);
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL((url) => url.pathname === '/');
  await openAccountMenu(page, email);

  // Exchange accounts: the paper account made at sign-up, verified, funded on the sandbox.
  await page.getByRole('menuitem', { name: 'Exchange accounts' }).click();
  await expect(page).toHaveURL((url) => url.pathname === '/exchange-accounts');
  const accounts = page.getByTestId('exchange-account');
  await expect(accounts).toHaveCount(1);
  const paper = accounts.first();
  const badge = (text: string) => paper.locator('.mantine-Badge-root', { hasText: text });
  await expect(paper.getByRole('heading', { name: 'Paper' })).toBeVisible();
  await expect(badge('Paper')).toBeVisible();
  await expect(badge('Sandbox')).toBeVisible();
  await expect(badge('Verified')).toBeVisible();
  await expect(paper.getByText(/^••••\S{4}$/)).toBeVisible();
  const balance = paper.getByRole('region', { name: 'Balance' });
  await expect(balance.getByText(STARTING_BALANCE).first()).toBeVisible({ timeout: 20_000 });
  await page.screenshot({ path: SIGNUP_SCREENSHOT, fullPage: true });

  // The private channel is open and authenticated by its first frame.
  await expect.poll(() => firstFrames.length).toBeGreaterThan(0);
  expect(firstFrames[0]).toMatchObject({ type: 'auth', token: expect.stringMatching(/^eyJ/) });

  // A rename in a second tab reaches this one through exchange_account_updated.
  const other = await context.newPage();
  watchUrls(other, urls);
  await other.goto('/exchange-accounts');
  const otherPaper = other.getByTestId('exchange-account').first();
  await otherPaper.getByRole('button', { name: /^Rename / }).click();
  await otherPaper.getByRole('textbox', { name: 'Label' }).fill('Practice');
  await otherPaper.getByRole('button', { name: 'Save' }).click();
  await expect(otherPaper.getByRole('heading', { name: 'Practice' })).toBeVisible();
  await other.close();
  await expect(paper.getByRole('heading', { name: 'Practice' })).toBeVisible();

  // Sign out: back to the public dashboard, signed out.
  await openAccountMenu(page, email);
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
  const signIn = page.getByRole('banner').getByRole('link', { name: 'Sign in' });
  await expect(signIn).toBeVisible();
  await expect(page).toHaveURL((url) => url.pathname === '/');

  // A private page while signed out: to sign-in, then back to it.
  await page.goto('/exchange-accounts');
  await expect(page).toHaveURL(
    (url) => url.pathname === '/sign-in' && url.searchParams.get('next') === '/exchange-accounts',
  );
  await page.getByLabel('Email').fill(email);
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL((url) => url.pathname === '/exchange-accounts');
  await expect(
    page.getByTestId('exchange-account').getByRole('heading', { name: 'Practice' }),
  ).toBeVisible();

  expect(urls.length).toBeGreaterThan(0);
  for (const url of urls) expect(url, 'no token in a URL').not.toContain(JWT_PREFIX);
});

test('a wrong password is refused with the server’s message', async ({ page }) => {
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(`nobody-${Date.now()}@example.com`);
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill('not-the-password-1');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('Wrong email or password.');
  await expect(page).toHaveURL((url) => url.pathname === '/sign-in');
});
