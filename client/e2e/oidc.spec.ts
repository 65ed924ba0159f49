/**
 * "Sign in with <provider>" end to end: the sign-in page's provider button, the local OpenID
 * Connect provider's own login form and consent page (backend/accounts/tests/oidc_provider/, a
 * real process scripts/test.sh starts next to the stack), the platform's callback, and the
 * dashboard signed in. Needs E2E_OIDC_PROVIDER_NAME, E2E_OIDC_EMAIL and E2E_OIDC_PASSWORD, which
 * scripts/test.sh exports together with the stack's OIDC_* settings.
 */
import { expect, test } from '@playwright/test';

import { screenshotPath } from './artifacts';
import { badge } from './dashboard';

const PROVIDER_NAME = process.env.E2E_OIDC_PROVIDER_NAME;
const EMAIL = process.env.E2E_OIDC_EMAIL;
const PASSWORD = process.env.E2E_OIDC_PASSWORD;

test('signs in with the OpenID Connect provider and lands on the dashboard signed in', async ({
  page,
}) => {
  test.skip(
    !PROVIDER_NAME || !EMAIL || !PASSWORD,
    'E2E_OIDC_* not set: run through scripts/test.sh browser, which starts the local provider',
  );
  const providerName = PROVIDER_NAME ?? '';
  const email = EMAIL ?? '';
  const password = PASSWORD ?? '';
  const platformOrigin = new URL(process.env.E2E_BASE_URL ?? '').origin;

  await page.goto('/sign-in');
  const providerButton = page
    .getByRole('link', { name: `Sign in with ${providerName}` })
    .or(page.getByRole('button', { name: `Sign in with ${providerName}` }));
  await providerButton.click();

  // The provider's own pages, on its own origin.
  await expect(page.getByRole('heading', { name: 'Local test provider' })).toBeVisible();
  expect(new URL(page.url()).origin).not.toBe(platformOrigin);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Request for Permission' })).toBeVisible();
  await page.getByRole('button', { name: 'Authorize' }).click();

  // Back on the platform: the callback page trades the one-time code and opens the dashboard.
  await expect(page).toHaveURL((url) => url.origin === platformOrigin && url.pathname === '/');
  expect(page.url()).not.toContain('code=');
  // The dashboard, with the account menu naming who is signed in.
  await expect(badge(page), 'the dashboard is shown').toBeVisible();
  await expect(page.getByRole('heading', { name: 'Signing in' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: email })).toBeVisible();
  await page.screenshot({ path: screenshotPath('oidc-signed-in.png'), fullPage: true });

  // The platform's own session, not the provider's: it survives a reload.
  await page.reload();
  await expect(page.getByRole('button', { name: email })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Sign in', exact: true })).toHaveCount(0);
});
