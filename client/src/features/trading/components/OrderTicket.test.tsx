import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import { OrderTicket } from '@/features/trading/components/OrderTicket';
import { RiskLimitsForm } from '@/features/trading/components/RiskLimitsForm';
import { clearTokens, storeTokens } from '@/lib/session';
import { server } from '@/testing/mocks/server';
import { renderWithProviders } from '@/testing/test-utils';
import { fakeTokenPair } from '@/testing/tokens';

const ORDERS = '/api/trading/orders/';

function orderJson(overrides: Record<string, unknown> = {}) {
  return {
    id: 7,
    account_id: 1,
    client_order_id: 'bsm-abc',
    symbol: 'BTCUSDT',
    side: 'BUY',
    position_side: 'BOTH',
    type: 'MARKET',
    quantity: '0.010',
    price: null,
    stop_price: null,
    status: 'PENDING',
    executed_qty: '0',
    avg_price: null,
    tag: 'm',
    source: 'manual',
    is_algo: false,
    error_message: '',
    created_at: '2026-12-04T20:00:00Z',
    ...overrides,
  };
}

async function type(label: string, text: string) {
  const input = screen.getByRole('textbox', { name: label });
  await userEvent.clear(input);
  await userEvent.click(input);
  await userEvent.paste(text);
}

vi.setConfig({ testTimeout: 20_000 });

beforeEach(() => {
  clearTokens();
  storeTokens(fakeTokenPair(), { signIn: true });
});

describe('the order ticket', () => {
  it('sends the ticket in the API words and says the order was sent', async () => {
    const bodies: unknown[] = [];
    server.use(
      http.post(ORDERS, async ({ request }) => {
        bodies.push(await request.json());
        return HttpResponse.json(orderJson(), { status: 202 });
      }),
    );
    renderWithProviders(<OrderTicket accountId={1} venue="sandbox" />);
    expect(screen.getByText('PAPER (sandbox)')).toBeVisible();
    await type('Quantity', '0.01');
    await userEvent.click(screen.getByRole('button', { name: 'Buy / Long' }));

    expect(await screen.findByText('Order BUY 0.010 BTCUSDT sent (PENDING).')).toBeVisible();
    expect(bodies).toEqual([
      { account: 1, symbol: 'BTCUSDT', direction: 'LONG', type: 'MARKET', quantity: '0.01' },
    ]);
  });

  it('refuses a bad quantity before any request', async () => {
    let requests = 0;
    server.use(
      http.post(ORDERS, () => {
        requests += 1;
        return HttpResponse.json(orderJson(), { status: 202 });
      }),
    );
    renderWithProviders(<OrderTicket accountId={1} venue="sandbox" />);
    await type('Quantity', '-1');
    await userEvent.click(screen.getByRole('button', { name: 'Buy / Long' }));

    expect(screen.getByRole('textbox', { name: 'Quantity' })).toHaveAttribute(
      'aria-invalid',
      'true',
    );
    expect(requests).toBe(0);
  });

  it("shows the API's refusal next to the field it names", async () => {
    server.use(
      http.post(ORDERS, () =>
        HttpResponse.json(
          { detail: 'Quantity 0.0001 is below the minimum 0.001.', field: 'quantity' },
          { status: 400 },
        ),
      ),
    );
    renderWithProviders(<OrderTicket accountId={1} venue="live" />);
    expect(screen.getByText('LIVE: real money')).toBeVisible();
    await type('Quantity', '0.0001');
    await userEvent.click(screen.getByRole('button', { name: 'Buy / Long' }));

    const message = await screen.findByText('Quantity 0.0001 is below the minimum 0.001.');
    const input = screen.getByRole('textbox', { name: 'Quantity' });
    expect(input).toHaveAttribute('aria-invalid', 'true');
    expect(input.getAttribute('aria-describedby')).toContain(message.id);
  });
});

describe('the risk limits form', () => {
  const risk = {
    maxLeverage: 20,
    maxPositionNotional: '5000',
    maxTotalNotional: '20000',
    maxOpenPositions: 10,
    maxOrdersPerMinute: 60,
    dailyLossLimit: '500',
  };

  it('puts the limits (empty daily loss: off) and shows them saved', async () => {
    const bodies: unknown[] = [];
    server.use(
      http.put('/api/trading/accounts/1/risk/', async ({ request }) => {
        const body = (await request.json()) as Record<string, unknown>;
        bodies.push(body);
        return HttpResponse.json(body);
      }),
    );
    renderWithProviders(<RiskLimitsForm accountId={1} risk={risk} />);
    await type('Max leverage (x)', '5');
    await userEvent.clear(
      screen.getByRole('textbox', { name: 'Daily loss limit (USDT, empty: off)' }),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Save limits' }));

    expect(await screen.findByText('Risk limits saved.')).toBeVisible();
    expect(bodies).toEqual([
      {
        max_leverage: 5,
        max_position_notional: '5000',
        max_total_notional: '20000',
        max_open_positions: 10,
        max_orders_per_minute: 60,
        daily_loss_limit: null,
      },
    ]);
  });

  it('refuses a leverage above 125 before any request', async () => {
    renderWithProviders(<RiskLimitsForm accountId={1} risk={risk} />);
    await type('Max leverage (x)', '200');
    await userEvent.click(screen.getByRole('button', { name: 'Save limits' }));
    expect(screen.getByText('A whole number from 1 to 125.')).toBeVisible();
  });
});
