import { act, screen } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import { AccountChannel } from '@/app/layout/AccountChannel';
import { exchangeAccountKeys } from '@/features/exchange-accounts/api/exchange-account';
import { ExchangeAccountsView } from '@/features/exchange-accounts/components/ExchangeAccountsView';
import { clearTokens, storeTokens } from '@/lib/session';
import { FakeWebSocket } from '@/testing/fake-websocket';
import { balanceJson, exchangeAccountJson } from '@/testing/mocks/accounts';
import { server } from '@/testing/mocks/server';
import { renderWithProviders } from '@/testing/test-utils';
import { fakeTokenPair } from '@/testing/tokens';

vi.setConfig({ testTimeout: 20_000 });

beforeEach(() => {
  FakeWebSocket.reset();
  vi.stubGlobal('WebSocket', FakeWebSocket);
  clearTokens();
});

describe('AccountChannel', () => {
  it('refetches the exchange accounts when the private channel says one changed', async () => {
    const pair = fakeTokenPair();
    storeTokens(pair, { signIn: true });
    const accounts = [exchangeAccountJson({ id: 1, label: 'Paper' })];
    server.use(
      http.get('/api/exchange-accounts/', () => HttpResponse.json(accounts)),
      http.get('/api/exchange-accounts/1/balance/', () => HttpResponse.json(balanceJson())),
    );
    renderWithProviders(
      <>
        <AccountChannel />
        <ExchangeAccountsView />
      </>,
    );
    await screen.findByRole('article', { name: 'Paper' });

    const socket = FakeWebSocket.latest();
    expect(socket.url).toMatch(/\/ws\/account\/$/);
    act(() => {
      socket.open();
    });
    await vi.waitFor(() => {
      expect(socket.sent).toEqual([{ type: 'auth', token: pair.access }]);
    });
    act(() => {
      socket.receive({ type: 'welcome', ts: Date.now(), seq: 3, expires_at: Date.now() + 300_000 });
    });

    // Renamed elsewhere (another tab, another device): the server tells this one.
    accounts[0] = exchangeAccountJson({ id: 1, label: 'Practice' });
    act(() => {
      socket.receive({
        type: 'exchange_account_updated',
        seq: 4,
        ts: Date.now(),
        data: { change: 'updated', id: 1, account: accounts[0] },
      });
    });
    expect(await screen.findByRole('article', { name: 'Practice' })).toBeVisible();
  });

  it('closes the channel and forgets the user’s data at sign-out', async () => {
    storeTokens(fakeTokenPair(), { signIn: true });
    server.use(
      http.get('/api/exchange-accounts/', () =>
        HttpResponse.json([exchangeAccountJson({ id: 1, label: 'Paper' })]),
      ),
      http.get('/api/exchange-accounts/1/balance/', () => HttpResponse.json(balanceJson())),
    );
    const { queryClient, unmount } = renderWithProviders(
      <>
        <AccountChannel />
        <ExchangeAccountsView />
      </>,
    );
    await screen.findByRole('article', { name: 'Paper' });
    unmount(); // the private page goes away, the app shell stays
    renderWithProviders(<AccountChannel />, { queryClient });
    const socket = FakeWebSocket.latest();
    expect(socket.closedWith).toBeNull();
    expect(queryClient.getQueryData(exchangeAccountKeys.list())).toBeDefined();

    act(() => {
      clearTokens();
    });
    expect(queryClient.getQueryData(exchangeAccountKeys.list())).toBeUndefined();
    expect(socket.closedWith?.code).toBe(1000);
  });
});
