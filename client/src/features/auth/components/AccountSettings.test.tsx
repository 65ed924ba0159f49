import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import { AccountSettings } from '@/features/auth/components/AccountSettings';
import { ForgotPasswordPage } from '@/features/auth/components/PasswordResetPages';
import { clearTokens, REFRESH_TOKEN_STORAGE_KEY, storeTokens } from '@/lib/session';
import { meJson } from '@/testing/mocks/accounts';
import { server } from '@/testing/mocks/server';
import { renderWithProviders } from '@/testing/test-utils';
import { fakeTokenPair } from '@/testing/tokens';

// Whole forms rendered with Mantine: slow on a loaded two-core machine, not stuck.
vi.setConfig({ testTimeout: 20_000 });

async function fill(element: HTMLElement, text: string) {
  await userEvent.click(element);
  await userEvent.paste(text);
}

beforeEach(() => {
  clearTokens();
});

describe('password change', () => {
  it('keeps this session on the new pair the server returns', async () => {
    const before = fakeTokenPair();
    const after = fakeTokenPair();
    storeTokens(before, { signIn: true });
    const bodies: unknown[] = [];
    server.use(
      http.get('/api/auth/me/', () => HttpResponse.json(meJson())),
      http.post('/api/auth/password/change/', async ({ request }) => {
        bodies.push(await request.json());
        return HttpResponse.json(after);
      }),
    );
    renderWithProviders(<AccountSettings />);
    expect(await screen.findByText('ada@example.com')).toBeVisible();

    await fill(screen.getByLabelText(/^Current password/), 'old-pass-1');
    await fill(screen.getByLabelText(/^New password/), 'Kestrel-Quartz-4821');
    await userEvent.click(screen.getByRole('button', { name: 'Change password' }));

    expect(await screen.findByRole('status')).toHaveTextContent('Password changed.');
    expect(bodies).toEqual([{ old_password: 'old-pass-1', new_password: 'Kestrel-Quartz-4821' }]);
    expect(localStorage.getItem(REFRESH_TOKEN_STORAGE_KEY)).toBe(after.refresh);
    expect(screen.getByLabelText(/^Current password/)).toHaveValue('');
  });

  it('shows a wrong current password next to its field', async () => {
    storeTokens(fakeTokenPair(), { signIn: true });
    server.use(
      http.get('/api/auth/me/', () => HttpResponse.json(meJson())),
      http.post('/api/auth/password/change/', () =>
        HttpResponse.json({ old_password: ['The current password is wrong.'] }, { status: 400 }),
      ),
    );
    renderWithProviders(<AccountSettings />);
    await fill(await screen.findByLabelText(/^Current password/), 'nope');
    await fill(screen.getByLabelText(/^New password/), 'Kestrel-Quartz-4821');
    await userEvent.click(screen.getByRole('button', { name: 'Change password' }));
    await waitFor(() => {
      expect(screen.getByLabelText(/^Current password/)).toHaveAccessibleDescription(
        'The current password is wrong.',
      );
    });
  });
});

describe('forgot password', () => {
  it('answers the same for any email once the server accepts', async () => {
    const bodies: unknown[] = [];
    server.use(
      http.post('/api/auth/password/reset/', async ({ request }) => {
        bodies.push(await request.json());
        return new HttpResponse(null, { status: 204 });
      }),
    );
    renderWithProviders(<ForgotPasswordPage />);
    await fill(screen.getByLabelText(/^Email/), 'ada@example.com');
    await userEvent.click(screen.getByRole('button', { name: 'Send the link' }));
    expect(await screen.findByRole('heading', { name: 'Check your email' })).toBeVisible();
    expect(screen.getByText(/If an account exists for/)).toHaveTextContent('ada@example.com');
    expect(bodies).toEqual([{ email: 'ada@example.com' }]);
  });

  it('says when to try again when throttled', async () => {
    server.use(
      http.post('/api/auth/password/reset/', () =>
        HttpResponse.json(
          { detail: 'Request was throttled.' },
          { status: 429, headers: { 'Retry-After': '3600' } },
        ),
      ),
    );
    renderWithProviders(<ForgotPasswordPage />);
    await fill(screen.getByLabelText(/^Email/), 'ada@example.com');
    await userEvent.click(screen.getByRole('button', { name: 'Send the link' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Too many attempts, try again in 3600 s.',
    );
  });
});
