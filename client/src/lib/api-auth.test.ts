import { http, HttpResponse } from 'msw';
import { beforeEach, describe, expect, it } from 'vitest';

import { api, HttpError, NetworkError, refreshSession, SessionEndedError } from '@/lib/api';
import {
  clearTokens,
  REFRESH_TOKEN_STORAGE_KEY,
  sessionSnapshot,
  storeTokens,
} from '@/lib/session';
import { server } from '@/testing/mocks/server';
import { fakeAccessToken, fakeTokenPair } from '@/testing/tokens';

const asIs = (json: unknown) => json;
const REFRESH = '/api/auth/refresh/';

/** Every request the client made: URL and the Authorization header it carried. */
let seen: { url: string; authorization: string | null; body: string }[] = [];

beforeEach(() => {
  clearTokens();
  seen = [];
  server.events.removeAllListeners();
  server.events.on('request:start', ({ request }) => {
    const copy = request.clone();
    void copy.text().then((body) => {
      seen.push({ url: request.url, authorization: request.headers.get('Authorization'), body });
    });
  });
});

/** An endpoint that accepts only `valid` (a live token), like DRF with JWT authentication. */
function privateEndpoint(path: string, valid: () => string, onUnauthorized?: () => void) {
  return http.get(path, ({ request }) => {
    if (request.headers.get('Authorization') === `Bearer ${valid()}`) {
      return HttpResponse.json({ path });
    }
    onUnauthorized?.();
    return HttpResponse.json({ detail: 'Given token not valid' }, { status: 401 });
  });
}

describe('the Authorization header', () => {
  it('is sent when signed in, and not when signed out', async () => {
    server.use(http.get('/api/thing/', () => HttpResponse.json({})));
    await api.get('/api/thing/', asIs);
    const pair = fakeTokenPair();
    storeTokens(pair, { signIn: true });
    await api.get('/api/thing/', asIs);
    expect(seen.map((request) => request.authorization)).toEqual([null, `Bearer ${pair.access}`]);
  });

  it('is not sent by anonymous requests (the auth endpoints)', async () => {
    storeTokens(fakeTokenPair(), { signIn: true });
    server.use(http.post('/api/auth/login/', () => HttpResponse.json({})));
    await api.post('/api/auth/login/', asIs, { body: { email: 'a@b.c' }, anonymous: true });
    expect(seen[0]?.authorization).toBeNull();
  });
});

describe('refresh on 401', () => {
  it('refreshes once for concurrent 401s and replays every request with the new token', async () => {
    const old = fakeTokenPair();
    const rotated = fakeTokenPair();
    storeTokens(old, { signIn: true });
    let current = 'not issued yet';
    let unauthorized = 0;
    let releaseRefresh: () => void = () => undefined;
    const allRefused = new Promise<void>((resolve) => {
      releaseRefresh = resolve;
    });
    const refreshBodies: unknown[] = [];
    const paths = ['/api/a/', '/api/b/', '/api/c/'];
    server.use(
      ...paths.map((path) =>
        privateEndpoint(
          path,
          () => current,
          () => {
            unauthorized += 1;
            if (unauthorized === paths.length) releaseRefresh();
          },
        ),
      ),
      http.post(REFRESH, async ({ request }) => {
        refreshBodies.push(await request.json());
        // Answer only once all three requests were refused: they must all be waiting on this one.
        await allRefused;
        current = rotated.access;
        return HttpResponse.json(rotated);
      }),
    );

    const results = await Promise.all(paths.map((path) => api.get(path, asIs)));

    expect(results).toEqual(paths.map((path) => ({ path })));
    expect(refreshBodies).toEqual([{ refresh: old.refresh }]);
    const byPath = (path: string) =>
      seen.filter((r) => r.url.endsWith(path)).map((r) => r.authorization);
    for (const path of paths) {
      expect(byPath(path)).toEqual([`Bearer ${old.access}`, `Bearer ${rotated.access}`]);
    }
    // The rotated refresh token replaces the old one.
    expect(localStorage.getItem(REFRESH_TOKEN_STORAGE_KEY)).toBe(rotated.refresh);
    expect(sessionSnapshot().signedIn).toBe(true);
  });

  it('signs out when the refresh is refused, and replays without a token', async () => {
    storeTokens(fakeTokenPair(), { signIn: true });
    let refreshes = 0;
    server.use(
      privateEndpoint('/api/private/', () => 'never valid'),
      http.get('/api/public/', ({ request }) =>
        request.headers.has('Authorization')
          ? HttpResponse.json({ detail: 'Given token not valid' }, { status: 401 })
          : HttpResponse.json({ public: true }),
      ),
      http.post(REFRESH, () => {
        refreshes += 1;
        return HttpResponse.json({ detail: 'Token is blacklisted' }, { status: 401 });
      }),
    );

    const [privateResult, publicResult] = await Promise.allSettled([
      api.get('/api/private/', asIs),
      api.get('/api/public/', asIs),
    ]);

    expect(refreshes).toBe(1);
    expect(sessionSnapshot().signedIn).toBe(false);
    expect(localStorage.getItem(REFRESH_TOKEN_STORAGE_KEY)).toBeNull();
    expect(privateResult).toMatchObject({ status: 'rejected', reason: { status: 401 } });
    expect(publicResult).toEqual({ status: 'fulfilled', value: { public: true } });
    // The replays went out without a token.
    expect(seen.filter((r) => r.url.endsWith('/api/public/')).at(-1)?.authorization).toBeNull();
  });

  it('stays signed in when the refresh gets no answer (network down)', async () => {
    const pair = fakeTokenPair();
    storeTokens(pair, { signIn: true });
    server.use(
      privateEndpoint('/api/private/', () => 'never valid'),
      http.post(REFRESH, () => HttpResponse.error()),
    );
    await expect(api.get('/api/private/', asIs)).rejects.toBeInstanceOf(NetworkError);
    expect(sessionSnapshot().signedIn).toBe(true);
    expect(localStorage.getItem(REFRESH_TOKEN_STORAGE_KEY)).toBe(pair.refresh);
  });

  it('does not loop: a replay refused again is the caller’s 401', async () => {
    storeTokens(fakeTokenPair(), { signIn: true });
    let refreshes = 0;
    server.use(
      privateEndpoint('/api/private/', () => 'never valid'),
      http.post(REFRESH, () => {
        refreshes += 1;
        return HttpResponse.json(fakeTokenPair());
      }),
    );
    const error = await api.get('/api/private/', asIs).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).status).toBe(401);
    expect(refreshes).toBe(1);
  });

  it('refreshes a token about to expire before sending it', async () => {
    const expiring = fakeTokenPair({ lifetimeS: 10 });
    const rotated = fakeTokenPair();
    storeTokens(expiring, { signIn: true });
    server.use(
      privateEndpoint('/api/private/', () => rotated.access),
      http.post(REFRESH, () => HttpResponse.json(rotated)),
    );
    await api.get('/api/private/', asIs);
    expect(seen.map((r) => r.authorization)).toEqual([null, `Bearer ${rotated.access}`]);
  });

  it('uses a token rotated by another tab when its own refresh is refused', async () => {
    const mine = fakeTokenPair();
    const otherTab = fakeTokenPair();
    const rotated = fakeTokenPair();
    storeTokens(mine, { signIn: true });
    server.use(
      http.post(REFRESH, async ({ request }) => {
        const { refresh } = (await request.json()) as { refresh: string };
        if (refresh === otherTab.refresh) return HttpResponse.json(rotated);
        // The other tab rotated it just before: ours is blacklisted now.
        localStorage.setItem(REFRESH_TOKEN_STORAGE_KEY, otherTab.refresh);
        return HttpResponse.json({ detail: 'Token is blacklisted' }, { status: 401 });
      }),
    );
    await expect(refreshSession()).resolves.toBe(rotated.access);
    expect(sessionSnapshot().signedIn).toBe(true);
  });

  it('rejects with SessionEndedError when there is no session to refresh', async () => {
    await expect(refreshSession()).rejects.toBeInstanceOf(SessionEndedError);
  });
});

describe('tokens stay out of URLs', () => {
  it('no request URL carries an access or refresh token', async () => {
    const old = fakeTokenPair();
    const rotated = { access: fakeAccessToken(), refresh: 'rotated-refresh' };
    storeTokens(old, { signIn: true });
    let current = '';
    server.use(
      privateEndpoint('/api/private/', () => current),
      http.post(REFRESH, () => {
        current = rotated.access;
        return HttpResponse.json(rotated);
      }),
    );
    await api.get('/api/private/', asIs);
    expect(seen.length).toBe(3); // refused, refresh, replay
    for (const token of [old.access, old.refresh, rotated.access, rotated.refresh]) {
      for (const { url } of seen) expect(url).not.toContain(token);
    }
    // They travel in headers and bodies only.
    expect(seen[1]?.body).toContain(old.refresh);
  });
});

describe('Retry-After', () => {
  it('is read from a 429 in seconds', async () => {
    server.use(
      http.post('/api/auth/login/', () =>
        HttpResponse.json(
          { detail: 'Request was throttled.' },
          { status: 429, headers: { 'Retry-After': '42' } },
        ),
      ),
    );
    const error = await api
      .post('/api/auth/login/', asIs, { body: {}, anonymous: true })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 429, retryAfterSeconds: 42 });
  });
});
