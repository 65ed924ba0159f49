/**
 * The requests that start or end a session: sign-in, sign-up, the OpenID Connect code exchange,
 * sign-out. The first three store the pair they get (`lib/session.ts`); pages follow the session.
 */
import { useMutation } from '@tanstack/react-query';

import { api, decodeTokenPair, HttpError, NetworkError } from '@/lib/api';
import { expectObject } from '@/lib/decode';
import { clearTokens, refreshToken, storeTokens, type TokenPair } from '@/lib/session';

export const LOGIN_PATH = '/api/auth/login/';
export const REGISTER_PATH = '/api/auth/register/';
export const OIDC_EXCHANGE_PATH = '/api/auth/oidc/exchange/';
export const LOGOUT_PATH = '/api/auth/logout/';

export interface Credentials {
  email: string;
  password: string;
}

export async function signIn(credentials: Credentials): Promise<void> {
  const pair = await api.post(LOGIN_PATH, decodeTokenPair, {
    body: credentials,
    anonymous: true,
  });
  storeTokens(pair, { signIn: true });
}

export async function signUp(credentials: Credentials): Promise<void> {
  const pair = await api.post(
    REGISTER_PATH,
    (json) => decodeTokenPair(expectObject(json, 'register')),
    { body: credentials, anonymous: true },
  );
  storeTokens(pair, { signIn: true });
}

// One exchange per code, however often the page mounts (React's strict mode mounts it twice, and
// a used code is refused): the second caller shares the first one's answer.
const exchanges = new Map<string, Promise<TokenPair>>();

export async function exchangeSignInCode(code: string): Promise<void> {
  let exchange = exchanges.get(code);
  if (!exchange) {
    exchange = api.post(OIDC_EXCHANGE_PATH, decodeTokenPair, { body: { code }, anonymous: true });
    exchanges.set(code, exchange);
  }
  storeTokens(await exchange, { signIn: true });
}

/**
 * Signs out here at once, then asks the server to blacklist the refresh token. The local session
 * ends even if the server cannot be reached: the user asked to be signed out of this browser.
 */
export async function signOut(): Promise<void> {
  const refresh = refreshToken();
  clearTokens({ byUser: true });
  if (refresh === null) return;
  try {
    await api.post(LOGOUT_PATH, () => undefined, { body: { refresh }, anonymous: true });
  } catch (error) {
    // 401: already invalid (expired, or used by a refresh meanwhile): nothing left to revoke.
    if (!(error instanceof HttpError) && !(error instanceof NetworkError)) throw error;
  }
}

export function useSignIn() {
  return useMutation({ mutationFn: signIn });
}

export function useSignUp() {
  return useMutation({ mutationFn: signUp });
}

export function useSignOut() {
  return useMutation({ mutationFn: signOut });
}
