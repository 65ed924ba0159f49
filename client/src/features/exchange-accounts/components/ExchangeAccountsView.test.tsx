import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import { ExchangeAccountsView } from '@/features/exchange-accounts/components/ExchangeAccountsView';
import { clearTokens, storeTokens } from '@/lib/session';
import { balanceJson, exchangeAccountJson } from '@/testing/mocks/accounts';
import { server } from '@/testing/mocks/server';
import { renderWithProviders } from '@/testing/test-utils';
import { fakeTokenPair } from '@/testing/tokens';

const LIST = '/api/exchange-accounts/';

const paper = exchangeAccountJson({ id: 1, label: 'Paper', api_key_last4: 'x9Q2' });
const testnet = exchangeAccountJson({
  id: 2,
  label: 'Testnet bot',
  venue: 'testnet',
  is_paper: false,
  api_key_last4: 'K7zz',
  fingerprint: 'aa11bb22cc33',
  status: 'failed',
  status_detail: 'Binance rejected the key: -2015 Invalid API-key, IP, or permissions for action.',
  verified_at: null,
  warnings: ['The key has no IP restriction: anyone holding it can trade from anywhere.'],
});

/** Serves `accounts` (a live list the test may change) and counts the list reads. */
function listServer(accounts: Record<string, unknown>[]) {
  const reads = { count: 0 };
  server.use(
    http.get(LIST, () => {
      reads.count += 1;
      return HttpResponse.json(accounts);
    }),
    http.get(`${LIST}1/balance/`, () =>
      HttpResponse.json(balanceJson('10000.00000000', '9500.50000000')),
    ),
  );
  return reads;
}

async function fill(element: HTMLElement, text: string) {
  await userEvent.click(element);
  await userEvent.paste(text);
}

const card = (label: string) => screen.getByRole('article', { name: label });
const addForm = () => within(screen.getByRole('region', { name: 'Add an exchange account' }));

// Whole forms rendered with Mantine: slow on a loaded two-core machine, not stuck.
vi.setConfig({ testTimeout: 20_000 });

beforeEach(() => {
  clearTokens();
  storeTokens(fakeTokenPair(), { signIn: true });
});

describe('the list', () => {
  it('shows each account with its key masked, status, warnings and (paper) balance', async () => {
    listServer([paper, testnet]);
    renderWithProviders(<ExchangeAccountsView />);

    const paperCard = await screen.findByRole('article', { name: 'Paper' });
    expect(within(paperCard).getByText('Sandbox')).toBeVisible();
    expect(
      within(paperCard).getByText('Paper', { selector: '.mantine-Badge-label' }),
    ).toBeVisible();
    expect(within(paperCard).getByText('••••x9Q2')).toBeVisible();
    expect(within(paperCard).getByText('Verified')).toBeVisible();
    const balance = within(paperCard).getByRole('region', { name: 'Balance' });
    expect(await within(balance).findByText('10,000.00 USDT')).toBeVisible();
    expect(within(balance).getByText('9,500.50 USDT')).toBeVisible();

    const bot = card('Testnet bot');
    expect(within(bot).getByText('Testnet')).toBeVisible();
    expect(within(bot).queryByText('Paper')).toBeNull();
    expect(within(bot).getByText('••••K7zz')).toBeVisible();
    expect(within(bot).getByText('aa11bb22cc33')).toBeVisible();
    expect(within(bot).getByText('Failed')).toBeVisible();
    expect(within(bot).getByText(/Binance rejected the key: -2015/)).toBeVisible();
    expect(within(bot).getByText(/no IP restriction/)).toBeVisible();
    expect(within(bot).getByText('Never')).toBeVisible();
    // Not paper: the balance is read on request only (no request was made: msw would fail it).
    expect(within(bot).getByRole('button', { name: 'Show balance' })).toBeVisible();
  });
});

describe('adding an account', () => {
  it('sends the secret once and clears it from the form, even when the key is refused', async () => {
    const reads = listServer([paper]);
    const posted: Record<string, unknown>[] = [];
    server.use(
      http.post(LIST, async ({ request }) => {
        posted.push((await request.json()) as Record<string, unknown>);
        return HttpResponse.json(
          { detail: 'Binance rejected the key: -2014 API-key format invalid.' },
          { status: 400 },
        );
      }),
    );
    renderWithProviders(<ExchangeAccountsView />);
    await screen.findByRole('article', { name: 'Paper' });

    await fill(addForm().getByLabelText(/^Label/), 'Bot');
    await fill(addForm().getByLabelText(/^API key/), 'KEY-123');
    const secret = addForm().getByLabelText(/^API secret/);
    expect(secret).toHaveAttribute('type', 'password');
    await fill(secret, 's3cr3t-value');
    await userEvent.click(addForm().getByRole('button', { name: 'Add account' }));

    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Binance rejected the key: -2014 API-key format invalid.',
    );
    expect(posted).toEqual([
      {
        label: 'Bot',
        venue: 'testnet',
        api_key: 'KEY-123',
        api_secret: 's3cr3t-value',
        confirm_live: false,
      },
    ]);
    expect(secret).toHaveValue('');
    expect(addForm().getByLabelText(/^API key/)).toHaveValue('KEY-123');
    expect(document.body.textContent).not.toContain('s3cr3t-value');
    await waitFor(() => {
      expect(reads.count).toBe(2); // the list is refetched after the attempt
    });
  });

  it('asks for the live confirmation and sends confirm_live', async () => {
    listServer([paper]);
    const posted: Record<string, unknown>[] = [];
    server.use(
      http.post(LIST, async ({ request }) => {
        posted.push((await request.json()) as Record<string, unknown>);
        return HttpResponse.json(
          exchangeAccountJson({ id: 9, label: 'Main', venue: 'live', is_paper: false }),
          { status: 201 },
        );
      }),
    );
    renderWithProviders(<ExchangeAccountsView />);
    await screen.findByRole('article', { name: 'Paper' });

    await fill(addForm().getByLabelText(/^Label/), 'Main');
    await userEvent.click(addForm().getByRole('combobox', { name: /^Venue/ }));
    await userEvent.click(screen.getByRole('option', { name: /live, real money/ }));
    await fill(addForm().getByLabelText(/^API key/), 'LIVEKEY');
    await fill(addForm().getByLabelText(/^API secret/), 'live-secret');
    const submit = addForm().getByRole('button', { name: 'Add account' });
    expect(submit).toBeDisabled();
    await userEvent.click(
      addForm().getByRole('checkbox', { name: 'I understand this trades real money' }),
    );
    expect(submit).toBeEnabled();
    await userEvent.click(submit);

    expect(await screen.findByRole('status')).toHaveTextContent('Added “Main”.');
    expect(posted).toEqual([
      {
        label: 'Main',
        venue: 'live',
        api_key: 'LIVEKEY',
        api_secret: 'live-secret',
        confirm_live: true,
      },
    ]);
    expect(addForm().getByLabelText(/^API secret/)).toHaveValue('');
    expect(addForm().getByLabelText(/^Label/)).toHaveValue('');
  });
});

describe('managing an account', () => {
  it('renames in place', async () => {
    const accounts = [paper, testnet];
    listServer(accounts);
    const patches: unknown[] = [];
    server.use(
      http.patch(`${LIST}2/`, async ({ request }) => {
        const body = (await request.json()) as { label: string };
        patches.push(body);
        accounts[1] = { ...testnet, label: body.label };
        return HttpResponse.json(accounts[1]);
      }),
    );
    renderWithProviders(<ExchangeAccountsView />);
    await screen.findByRole('article', { name: 'Testnet bot' });

    await userEvent.click(screen.getByRole('button', { name: 'Rename Testnet bot' }));
    const input = within(card('Testnet bot')).getByRole('textbox', { name: 'Label' });
    await userEvent.clear(input);
    await userEvent.paste('Scalper');
    await userEvent.click(within(card('Testnet bot')).getByRole('button', { name: 'Save' }));

    expect(await screen.findByRole('article', { name: 'Scalper' })).toBeVisible();
    expect(patches).toEqual([{ label: 'Scalper' }]);
  });

  it('verifies again', async () => {
    const accounts = [testnet];
    listServer(accounts);
    server.use(
      http.post(`${LIST}2/verify/`, () => {
        accounts[0] = { ...testnet, status: 'verified', status_detail: '', warnings: [] };
        return HttpResponse.json(accounts[0]);
      }),
    );
    renderWithProviders(<ExchangeAccountsView />);
    const bot = await screen.findByRole('article', { name: 'Testnet bot' });
    await userEvent.click(within(bot).getByRole('button', { name: 'Verify' }));
    expect(await within(card('Testnet bot')).findByText('Verified')).toBeVisible();
  });

  it('deletes only after the confirmation', async () => {
    const accounts = [paper, testnet];
    listServer(accounts);
    let deletes = 0;
    server.use(
      http.delete(`${LIST}2/`, () => {
        deletes += 1;
        accounts.pop();
        return new HttpResponse(null, { status: 204 });
      }),
    );
    renderWithProviders(<ExchangeAccountsView />);
    const bot = await screen.findByRole('article', { name: 'Testnet bot' });

    await userEvent.click(within(bot).getByRole('button', { name: 'Delete' }));
    let dialog = screen.getByRole('dialog', { name: 'Delete “Testnet bot”?' });
    expect(dialog).toHaveTextContent('••••K7zz');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(deletes).toBe(0);

    await userEvent.click(within(bot).getByRole('button', { name: 'Delete' }));
    dialog = screen.getByRole('dialog', { name: 'Delete “Testnet bot”?' });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Delete' }));
    await waitFor(() => {
      expect(screen.queryByRole('article', { name: 'Testnet bot' })).toBeNull();
    });
    expect(deletes).toBe(1);
  });
});
