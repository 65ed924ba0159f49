/** An exchange account as `/api/exchange-accounts/` sends it: never the key or the secret. */
import { ResponseFormatError } from '@/lib/api';
import {
  expectBoolean,
  expectNumber,
  expectObject,
  expectOneOf,
  expectString,
  expectStringArray,
  expectTime,
  nullableTime,
} from '@/lib/decode';
import { USER_QUERY_SCOPE } from '@/lib/session';

export const EXCHANGE_ACCOUNTS_PATH = '/api/exchange-accounts/';
export const VENUES = ['sandbox', 'testnet', 'live'] as const;
export type Venue = (typeof VENUES)[number];
export const ACCOUNT_STATUSES = ['verified', 'unverified', 'failed'] as const;
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];

export interface ExchangeAccount {
  id: number;
  label: string;
  venue: Venue;
  isPaper: boolean;
  apiKeyLast4: string;
  fingerprint: string;
  status: AccountStatus;
  statusDetail: string;
  verifiedAt: number | null;
  warnings: string[];
  liveConfirmed: boolean;
  createdAt: number;
}

export function decodeExchangeAccount(json: unknown, where = 'exchange account'): ExchangeAccount {
  const account = expectObject(json, where);
  return {
    id: expectNumber(account.id, `${where}.id`),
    label: expectString(account.label, `${where}.label`),
    venue: expectOneOf(account.venue, VENUES, `${where}.venue`),
    isPaper: expectBoolean(account.is_paper, `${where}.is_paper`),
    apiKeyLast4: expectString(account.api_key_last4, `${where}.api_key_last4`),
    fingerprint: expectString(account.fingerprint, `${where}.fingerprint`),
    status: expectOneOf(account.status, ACCOUNT_STATUSES, `${where}.status`),
    statusDetail: expectString(account.status_detail, `${where}.status_detail`),
    verifiedAt: nullableTime(account.verified_at, `${where}.verified_at`),
    warnings: expectStringArray(account.warnings, `${where}.warnings`),
    liveConfirmed: expectBoolean(account.live_confirmed, `${where}.live_confirmed`),
    createdAt: expectTime(account.created_at, `${where}.created_at`),
  };
}

export function decodeExchangeAccounts(json: unknown): ExchangeAccount[] {
  if (!Array.isArray(json)) throw new ResponseFormatError('exchange accounts: expected a list');
  return json.map((item, index) => decodeExchangeAccount(item, `exchange accounts[${index}]`));
}

export function exchangeAccountPath(id: number): string {
  return `${EXCHANGE_ACCOUNTS_PATH}${id}/`;
}

/** Under the user scope: dropped at sign-out with the rest of the user's data. */
export const exchangeAccountKeys = {
  all: [USER_QUERY_SCOPE, 'exchange-accounts'] as const,
  list: () => [...exchangeAccountKeys.all, 'list'] as const,
  balance: (id: number) => [...exchangeAccountKeys.all, 'balance', id] as const,
};
