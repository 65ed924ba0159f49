/** `GET /api/auth/providers/`: the OpenID Connect providers to offer ("Sign in with ..."). */
import { queryOptions, useQuery } from '@tanstack/react-query';

import { api } from '@/lib/api';
import { expectArray, expectObject, expectString } from '@/lib/decode';

export const PROVIDERS_PATH = '/api/auth/providers/';

export interface SignInProvider {
  id: string;
  name: string;
  /** Where the browser goes to start the sign-in (a redirect to the provider). */
  loginUrl: string;
}

export function decodeProviders(json: unknown): SignInProvider[] {
  const list = expectArray(expectObject(json, 'providers').providers, 'providers.providers');
  return list.map((item, index) => {
    const where = `providers.providers[${index}]`;
    const provider = expectObject(item, where);
    return {
      id: expectString(provider.id, `${where}.id`),
      name: expectString(provider.name, `${where}.name`),
      loginUrl: expectString(provider.login_url, `${where}.login_url`),
    };
  });
}

export function getProviders({ signal }: { signal?: AbortSignal } = {}) {
  return api.get(PROVIDERS_PATH, decodeProviders, {
    anonymous: true,
    ...(signal ? { signal } : {}),
  });
}

export function providersQueryOptions() {
  return queryOptions({
    queryKey: ['auth', 'providers'] as const,
    queryFn: ({ signal }) => getProviders({ signal }),
    // Set by the server's environment: does not change while the page is open.
    staleTime: Infinity,
  });
}

export function useProviders() {
  return useQuery(providersQueryOptions());
}

/** The provider's login URL with `next`, the page to open once signed in. */
export function providerLoginHref(loginUrl: string, next: string): string {
  if (next === '/') return loginUrl;
  const separator = loginUrl.includes('?') ? '&' : '?';
  return `${loginUrl}${separator}next=${encodeURIComponent(next)}`;
}
