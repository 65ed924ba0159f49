/**
 * Who is signed in: the token pair from `/api/auth/`, held for `lib/api.ts` (which sends and
 * refreshes it) and for React (through `useSession`).
 *
 * Where the tokens live, and why:
 * - The access token (5 minutes) stays in memory only. It is what every request carries, so it is
 *   the one worth stealing; out of storage, script injected later cannot read it from there.
 * - The refresh token (7 days, rotated on every use) is kept in localStorage so that a reload or a
 *   new tab stays signed in. The trade-off: script running on our origin (an XSS) could read it.
 *   An httpOnly cookie would hide it from script, at the price of CSRF protection on every auth
 *   call; the backend's contract hands tokens over in JSON, so storage it is. What limits the
 *   damage: the page loads no third-party script, each refresh token works once (rotation with a
 *   blacklist, so a copy used by someone else makes this tab's next refresh fail and sign out),
 *   and sign-out blacklists it on the server.
 */
import { useSyncExternalStore } from 'react';

export interface TokenPair {
  access: string;
  refresh: string;
}

export interface SessionSnapshot {
  signedIn: boolean;
  /**
   * Grows by one at every sign-in (not at a refresh, which keeps the same user): sockets and
   * caches bound to a user are rebuilt when it changes.
   */
  generation: number;
  /** Signed out by the user's own choice (not a session the server ended). */
  endedByUser: boolean;
}

export const REFRESH_TOKEN_STORAGE_KEY = 'auth.refresh';

/**
 * The first element of every query key holding a user's own data (`['user', 'me']`, ...), so a
 * sign-out can drop all of them at once and the next user never sees the previous one's data.
 */
export const USER_QUERY_SCOPE = 'user';

interface AccessToken {
  token: string;
  /** Local epoch ms at which it expires, or null if the token does not say. */
  expiresAt: number | null;
}

/** Used only when storage is disabled: the session then lasts as long as the page. */
let memoryRefresh: string | null = null;
let storageWorks = true;

function readStoredRefresh(): string | null {
  try {
    return localStorage.getItem(REFRESH_TOKEN_STORAGE_KEY);
  } catch {
    storageWorks = false;
    return null;
  }
}

let access: AccessToken | null = null;
let snapshot: SessionSnapshot = {
  signedIn: readStoredRefresh() !== null,
  generation: 0,
  endedByUser: false,
};
const listeners = new Set<() => void>();

/** The current refresh token. Read from storage each time: another tab may have rotated it. */
export function refreshToken(): string | null {
  const stored = readStoredRefresh();
  return storageWorks ? stored : memoryRefresh;
}

/** The current access token and its expiry, if one was issued since the page loaded. */
export function accessToken(): AccessToken | null {
  return access;
}

/**
 * Stores a pair from login, registration, a password change or an OIDC exchange (`signIn`) or
 * from a refresh (rotation: same user, same generation).
 */
export function storeTokens(pair: TokenPair, { signIn = false } = {}): void {
  access = { token: pair.access, expiresAt: localExpiry(pair.access) };
  memoryRefresh = pair.refresh;
  try {
    localStorage.setItem(REFRESH_TOKEN_STORAGE_KEY, pair.refresh);
  } catch {
    storageWorks = false;
  }
  const generation = signIn ? snapshot.generation + 1 : snapshot.generation;
  setSnapshot({ signedIn: true, generation, endedByUser: false });
}

/**
 * Forgets both tokens: the user signed out (`byUser`), or the server refused them.
 */
export function clearTokens({ byUser = false } = {}): void {
  access = null;
  memoryRefresh = null;
  try {
    localStorage.removeItem(REFRESH_TOKEN_STORAGE_KEY);
  } catch {
    // Nothing stored.
  }
  setSnapshot({ signedIn: false, generation: snapshot.generation, endedByUser: byUser });
}

export function sessionSnapshot(): SessionSnapshot {
  return snapshot;
}

export function subscribeSession(listener: () => void): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

/** The session in React: re-renders on sign-in and sign-out, not on token rotation. */
export function useSession(): SessionSnapshot {
  return useSyncExternalStore(subscribeSession, sessionSnapshot);
}

function setSnapshot(next: SessionSnapshot): void {
  if (
    next.signedIn === snapshot.signedIn &&
    next.generation === snapshot.generation &&
    next.endedByUser === snapshot.endedByUser
  ) {
    return;
  }
  snapshot = next;
  for (const listener of listeners) listener();
}

/**
 * When `token` expires, on this machine's clock. The token says when it was issued (`iat`) and
 * when it expires (`exp`) on the server's clock; counting its lifetime from now keeps a wrong local
 * clock from making every token look expired (or never expiring).
 */
export function localExpiry(token: string, now = Date.now()): number | null {
  const claims = decodeClaims(token);
  if (!claims || typeof claims.exp !== 'number') return null;
  if (typeof claims.iat === 'number') return now + (claims.exp - claims.iat) * 1000;
  return claims.exp * 1000;
}

function decodeClaims(token: string): Record<string, unknown> | null {
  const payload = token.split('.')[1];
  if (!payload) return null;
  try {
    const base64 = payload.replace(/-/g, '+').replace(/_/g, '/');
    const value: unknown = JSON.parse(atob(base64.padEnd(Math.ceil(base64.length / 4) * 4, '=')));
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

// Another tab signed in or out: follow it, so two tabs never act as two different users.
if (typeof window !== 'undefined') {
  window.addEventListener('storage', (event) => {
    if (event.key !== REFRESH_TOKEN_STORAGE_KEY) return;
    if (event.newValue === null) {
      access = null;
      memoryRefresh = null;
      setSnapshot({ signedIn: false, generation: snapshot.generation, endedByUser: false });
    } else if (!snapshot.signedIn) {
      setSnapshot({ signedIn: true, generation: snapshot.generation + 1, endedByUser: false });
    }
  });
}
