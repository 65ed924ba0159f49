/** `GET /api/auth/me/`: who is signed in. */
import { queryOptions, useQuery } from '@tanstack/react-query';

import { api } from '@/lib/api';
import { expectBoolean, expectNumber, expectObject, expectString, expectTime } from '@/lib/decode';
import { USER_QUERY_SCOPE, useSession } from '@/lib/session';

export const ME_PATH = '/api/auth/me/';

export interface Me {
  id: number;
  email: string;
  dateJoined: number;
  isStaff: boolean;
}

export function decodeMe(json: unknown): Me {
  const me = expectObject(json, 'me');
  return {
    id: expectNumber(me.id, 'me.id'),
    email: expectString(me.email, 'me.email'),
    dateJoined: expectTime(me.date_joined, 'me.date_joined'),
    isStaff: expectBoolean(me.is_staff, 'me.is_staff'),
  };
}

export function getMe({ signal }: { signal?: AbortSignal } = {}): Promise<Me> {
  return api.get(ME_PATH, decodeMe, signal ? { signal } : {});
}

export const meQueryKey = [USER_QUERY_SCOPE, 'me'] as const;

export function meQueryOptions() {
  return queryOptions({
    queryKey: meQueryKey,
    queryFn: ({ signal }) => getMe({ signal }),
    staleTime: 60_000,
  });
}

/** The signed-in user; idle while signed out. */
export function useMe() {
  const { signedIn } = useSession();
  return useQuery({ ...meQueryOptions(), enabled: signedIn });
}
