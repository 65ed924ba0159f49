/** `/api/auth/...` and `/api/exchange-accounts/...` bodies as the backend sends them. */
let nextId = 500;

export function meJson(overrides: Record<string, unknown> = {}) {
  return {
    id: 7,
    email: 'ada@example.com',
    date_joined: '2026-11-30T09:15:00Z',
    is_staff: false,
    ...overrides,
  };
}

export function exchangeAccountJson(overrides: Record<string, unknown> = {}) {
  const id = (overrides.id as number | undefined) ?? nextId++;
  return {
    id,
    label: 'Paper',
    venue: 'sandbox',
    is_paper: true,
    api_key_last4: 'a1B2',
    fingerprint: '3f9c0d1e2a4b',
    status: 'verified',
    status_detail: '',
    verified_at: '2026-12-01T10:00:00Z',
    warnings: [],
    live_confirmed: false,
    created_at: '2026-12-01T10:00:00Z',
    ...overrides,
  };
}

export function balanceJson(wallet = '10000.00000000', available = '10000.00000000') {
  return {
    assets: [
      { asset: 'BNB', wallet_balance: '0', available_balance: '0', unrealized_pnl: '0' },
      {
        asset: 'USDT',
        wallet_balance: wallet,
        available_balance: available,
        unrealized_pnl: '0.00000000',
      },
    ],
  };
}
