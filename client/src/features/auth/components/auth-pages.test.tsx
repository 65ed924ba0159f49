import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { StrictMode } from 'react';
import { Outlet, Route, Routes, useLocation } from 'react-router';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import { AccountMenu } from '@/features/auth/components/AccountMenu';
import { OidcCallbackPage } from '@/features/auth/components/OidcCallbackPage';
import { ResetPasswordPage } from '@/features/auth/components/PasswordResetPages';
import { RequireAuth } from '@/features/auth/components/RequireAuth';
import { SignInPage } from '@/features/auth/components/SignInPage';
import { SignUpPage } from '@/features/auth/components/SignUpPage';
import {
  clearTokens,
  REFRESH_TOKEN_STORAGE_KEY,
  sessionSnapshot,
  storeTokens,
} from '@/lib/session';
import { meJson } from '@/testing/mocks/accounts';
import { server } from '@/testing/mocks/server';
import { renderWithProviders } from '@/testing/test-utils';
import { fakeTokenPair } from '@/testing/tokens';

/** Where the router is now: rendered by every page of the test app. */
function LocationProbe() {
  const location = useLocation();
  return <output data-testid="location">{`${location.pathname}${location.search}`}</output>;
}

function Shell() {
  return (
    <>
      <header>
        <AccountMenu />
      </header>
      <Outlet />
      <LocationProbe />
    </>
  );
}

/** The app's auth routes around stand-in pages, starting at `path` (strict mode: effects twice). */
function renderAt(path: string) {
  renderWithProviders(
    <StrictMode>
      <Routes>
        <Route element={<Shell />}>
          <Route path="/" element={<p>Public dashboard</p>} />
          <Route path="/sign-in" element={<SignInPage />} />
          <Route path="/sign-up" element={<SignUpPage />} />
          <Route path="/auth/callback" element={<OidcCallbackPage />} />
          <Route path="/reset-password" element={<ResetPasswordPage />} />
          <Route element={<RequireAuth />}>
            <Route path="/exchange-accounts" element={<p>Private page</p>} />
          </Route>
        </Route>
      </Routes>
    </StrictMode>,
    { route: path },
  );
  return { location: () => screen.getByTestId('location').textContent };
}

/** Types by pasting: key-by-key typing is slow on a busy machine and tests nothing more here. */
async function fill(element: HTMLElement, text: string) {
  await userEvent.click(element);
  await userEvent.paste(text);
}

const where = (router: ReturnType<typeof renderAt>) => router.location();

function noProviders() {
  return http.get('/api/auth/providers/', () => HttpResponse.json({ providers: [] }));
}

// Whole pages rendered with Mantine: slow on a loaded two-core machine, not stuck.
vi.setConfig({ testTimeout: 20_000 });

beforeEach(() => {
  clearTokens();
});

describe('private routes', () => {
  it('send a signed-out visitor to sign in, and back after signing in', async () => {
    const pair = fakeTokenPair();
    const logins: unknown[] = [];
    server.use(
      noProviders(),
      http.post('/api/auth/login/', async ({ request }) => {
        logins.push(await request.json());
        return HttpResponse.json(pair);
      }),
      http.get('/api/auth/me/', () => HttpResponse.json(meJson())),
    );
    const router = renderAt('/exchange-accounts');
    await screen.findByRole('heading', { name: 'Sign in' });
    expect(where(router)).toBe('/sign-in?next=%2Fexchange-accounts');

    await fill(screen.getByLabelText(/^Email/), 'Ada@Example.com');
    await fill(screen.getByLabelText(/^Password/), 'correct horse');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(await screen.findByText('Private page')).toBeVisible();
    expect(where(router)).toBe('/exchange-accounts');
    expect(logins).toEqual([{ email: 'Ada@Example.com', password: 'correct horse' }]);
    expect(localStorage.getItem(REFRESH_TOKEN_STORAGE_KEY)).toBe(pair.refresh);
    // The header now shows who is signed in.
    expect(await screen.findByRole('button', { name: 'ada@example.com' })).toBeVisible();
  });

  it('refuse a next that leaves the site', async () => {
    server.use(
      noProviders(),
      http.post('/api/auth/login/', () => HttpResponse.json(fakeTokenPair())),
      http.get('/api/auth/me/', () => HttpResponse.json(meJson())),
    );
    const router = renderAt('/sign-in?next=//evil.example/steal');
    await fill(await screen.findByLabelText(/^Email/), 'ada@example.com');
    await fill(screen.getByLabelText(/^Password/), 'pw');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByText('Public dashboard')).toBeVisible();
    expect(where(router)).toBe('/');
  });
});

describe('sign-in errors', () => {
  it('shows the server’s reason for wrong credentials', async () => {
    server.use(
      noProviders(),
      http.post('/api/auth/login/', () =>
        HttpResponse.json({ detail: 'Wrong email or password.' }, { status: 401 }),
      ),
    );
    renderAt('/sign-in');
    await fill(await screen.findByLabelText(/^Email/), 'ada@example.com');
    await fill(screen.getByLabelText(/^Password/), 'nope');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Wrong email or password.');
    expect(sessionSnapshot().signedIn).toBe(false);
  });

  it('says when to try again after too many attempts (429 + Retry-After)', async () => {
    server.use(
      noProviders(),
      http.post('/api/auth/login/', () =>
        HttpResponse.json(
          { detail: 'Too many failed sign-in attempts.' },
          { status: 429, headers: { 'Retry-After': '30' } },
        ),
      ),
    );
    renderAt('/sign-in');
    await fill(await screen.findByLabelText(/^Email/), 'ada@example.com');
    await fill(screen.getByLabelText(/^Password/), 'nope');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Too many attempts, try again in 30 s.',
    );
  });

  it('shows the provider’s failure from ?error=', async () => {
    server.use(noProviders());
    renderAt('/sign-in?error=The%20provider%20refused%20the%20sign-in');
    expect(await screen.findByRole('alert')).toHaveTextContent('The provider refused the sign-in');
  });
});

describe('provider buttons', () => {
  it('link to the provider’s login with next', async () => {
    server.use(
      http.get('/api/auth/providers/', () =>
        HttpResponse.json({
          providers: [{ id: 'oidc', name: 'Acme ID', login_url: '/api/auth/oidc/login/' }],
        }),
      ),
    );
    renderAt('/exchange-accounts');
    const link = await screen.findByRole('link', { name: 'Sign in with Acme ID' });
    expect(link).toHaveAttribute('href', '/api/auth/oidc/login/?next=%2Fexchange-accounts');
  });

  it('are not shown when no provider is configured', async () => {
    let asked = false;
    server.use(
      http.get('/api/auth/providers/', () => {
        asked = true;
        return HttpResponse.json({ providers: [] });
      }),
    );
    renderAt('/sign-in');
    await screen.findByRole('heading', { name: 'Sign in' });
    await waitFor(() => {
      expect(asked).toBe(true);
    });
    expect(screen.queryByRole('link', { name: /Sign in with/ })).toBeNull();
  });
});

describe('sign-up', () => {
  it('shows field errors next to their fields', async () => {
    server.use(
      noProviders(),
      http.post('/api/auth/register/', () =>
        HttpResponse.json(
          {
            email: ['An account with this email already exists. Sign in or reset the password.'],
            password: ['This password is too short.', 'This password is too common.'],
          },
          { status: 400 },
        ),
      ),
    );
    renderAt('/sign-up');
    await fill(await screen.findByLabelText(/^Email/), 'ada@example.com');
    await fill(screen.getByLabelText(/^Password/), 'abc');
    await userEvent.click(screen.getByRole('button', { name: 'Create account' }));
    const password = screen.getByLabelText(/^Password/);
    await waitFor(() => {
      expect(password).toHaveAccessibleDescription(
        expect.stringContaining('This password is too short. This password is too common.'),
      );
    });
    expect(screen.getByLabelText(/^Email/)).toHaveAccessibleDescription(
      'An account with this email already exists. Sign in or reset the password.',
    );
  });

  it('signs the new user in', async () => {
    const pair = fakeTokenPair();
    server.use(
      noProviders(),
      http.post('/api/auth/register/', () =>
        HttpResponse.json({ user: meJson(), ...pair }, { status: 201 }),
      ),
      http.get('/api/auth/me/', () => HttpResponse.json(meJson())),
    );
    const router = renderAt('/sign-up');
    await fill(await screen.findByLabelText(/^Email/), 'ada@example.com');
    await fill(screen.getByLabelText(/^Password/), 'Kestrel-Quartz-4821');
    await userEvent.click(screen.getByRole('button', { name: 'Create account' }));
    expect(await screen.findByText('Public dashboard')).toBeVisible();
    expect(where(router)).toBe('/');
    expect(sessionSnapshot().signedIn).toBe(true);
  });
});

describe('OIDC callback', () => {
  it('trades the code once (even mounted twice) and opens next', async () => {
    const bodies: unknown[] = [];
    server.use(
      http.post('/api/auth/oidc/exchange/', async ({ request }) => {
        bodies.push(await request.json());
        return HttpResponse.json(fakeTokenPair());
      }),
      http.get('/api/auth/me/', () => HttpResponse.json(meJson())),
    );
    const router = renderAt('/auth/callback?code=one-time-123&next=%2Fexchange-accounts');
    expect(await screen.findByText('Private page')).toBeVisible();
    expect(where(router)).toBe('/exchange-accounts');
    expect(bodies).toEqual([{ code: 'one-time-123' }]);
  });

  it('explains a refused code', async () => {
    server.use(
      http.post('/api/auth/oidc/exchange/', () =>
        HttpResponse.json(
          { detail: 'This sign-in code is unknown, expired or already used.' },
          { status: 400 },
        ),
      ),
    );
    renderAt('/auth/callback?code=used-code');
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'This sign-in code is unknown, expired or already used.',
    );
    expect(screen.getByRole('link', { name: 'Back to sign-in' })).toHaveAttribute(
      'href',
      '/sign-in',
    );
    expect(sessionSnapshot().signedIn).toBe(false);
  });
});

describe('account menu', () => {
  it('signs out: the server blacklists the refresh token, this browser forgets both', async () => {
    const pair = fakeTokenPair();
    storeTokens(pair, { signIn: true });
    const logouts: unknown[] = [];
    server.use(
      http.get('/api/auth/me/', () => HttpResponse.json(meJson())),
      http.post('/api/auth/logout/', async ({ request }) => {
        logouts.push({
          body: await request.json(),
          authorization: request.headers.get('Authorization'),
        });
        return new HttpResponse(null, { status: 204 });
      }),
    );
    const router = renderAt('/exchange-accounts');
    await userEvent.click(await screen.findByRole('button', { name: 'ada@example.com' }));
    const menu = screen.getByRole('menu');
    expect(
      within(menu)
        .getAllByRole('menuitem')
        .map((item) => item.textContent),
    ).toEqual(['Exchange accounts', 'Account', 'Sign out']);
    await userEvent.click(within(menu).getByRole('menuitem', { name: 'Sign out' }));

    expect(await screen.findByRole('link', { name: 'Sign in' })).toBeVisible();
    expect(where(router)).toBe('/');
    await waitFor(() => {
      expect(logouts).toEqual([{ body: { refresh: pair.refresh }, authorization: null }]);
    });
    expect(localStorage.getItem(REFRESH_TOKEN_STORAGE_KEY)).toBeNull();
  });
});

describe('reset password', () => {
  it('sets the new password with the link’s uid and token', async () => {
    const bodies: unknown[] = [];
    server.use(
      http.post('/api/auth/password/reset/confirm/', async ({ request }) => {
        bodies.push(await request.json());
        return new HttpResponse(null, { status: 204 });
      }),
    );
    renderAt('/reset-password?uid=MQ&token=cbt-abc123');
    await fill(await screen.findByLabelText(/^New password/), 'Kestrel-Quartz-4821');
    await userEvent.click(screen.getByRole('button', { name: 'Set the password' }));
    expect(await screen.findByRole('heading', { name: 'Password changed' })).toBeVisible();
    expect(bodies).toEqual([
      { uid: 'MQ', token: 'cbt-abc123', new_password: 'Kestrel-Quartz-4821' },
    ]);
  });

  it('explains a used link', async () => {
    server.use(
      http.post('/api/auth/password/reset/confirm/', () =>
        HttpResponse.json(
          { detail: ['This reset link is invalid, expired or already used. Ask for a new one.'] },
          { status: 400 },
        ),
      ),
    );
    renderAt('/reset-password?uid=MQ&token=used');
    await fill(await screen.findByLabelText(/^New password/), 'Kestrel-Quartz-4821');
    await userEvent.click(screen.getByRole('button', { name: 'Set the password' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'This reset link is invalid, expired or already used. Ask for a new one.',
    );
  });

  it('says when the link is incomplete', async () => {
    renderAt('/reset-password?uid=MQ');
    expect(await screen.findByRole('alert')).toHaveTextContent('This link is incomplete.');
  });
});
