import { http, HttpResponse } from 'msw';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { AccountSocket, REAUTH_MARGIN_MS } from '@/lib/account-socket';
import { clearTokens, sessionSnapshot, storeTokens, type TokenPair } from '@/lib/session';
import type { ResyncReason, SocketFrame } from '@/lib/ws';
import { FakeWebSocket } from '@/testing/fake-websocket';
import { server } from '@/testing/mocks/server';
import { fakeTokenPair } from '@/testing/tokens';

const URL = 'ws://localhost/ws/account/';
const LIFETIME_MS = 300_000;

let stopSocket: (() => void) | undefined;

/** The server's side of the refresh endpoint: hands out `pairs` in order, counts the calls. */
function refreshServer(pairs: (TokenPair | 'refuse')[]) {
  const calls: string[] = [];
  server.use(
    http.post('/api/auth/refresh/', async ({ request }) => {
      calls.push(((await request.json()) as { refresh: string }).refresh);
      const next = pairs.shift();
      if (next === undefined || next === 'refuse') {
        return HttpResponse.json({ detail: 'Token is invalid or expired' }, { status: 401 });
      }
      return HttpResponse.json(next);
    }),
  );
  return calls;
}

/** Starts a socket that records what it hands on; afterEach stops it. */
function startSocket() {
  const events: SocketFrame[] = [];
  const resyncs: ResyncReason[] = [];
  const socket = new AccountSocket({
    url: URL,
    onEvent: (frame) => events.push(frame),
    onResync: (reason) => resyncs.push(reason),
    // No heartbeat: these tests play a server that does not answer pings.
    settings: { random: () => 0, heartbeatMs: 3_600_000 },
  });
  stopSocket = () => {
    socket.stop();
  };
  socket.start();
  return { events, resyncs };
}

/** Opens the newest connection and lets the socket send its auth frame. */
async function openLatest() {
  const ws = FakeWebSocket.latest();
  ws.open();
  await settle();
  return ws;
}

/** Lets promises (token lookups, msw answers) settle without moving the clock. */
async function settle() {
  for (let i = 0; i < 20; i += 1) await vi.advanceTimersByTimeAsync(0);
}

function welcome(socket: FakeWebSocket, seq: number) {
  const now = Date.now();
  socket.receive({ type: 'welcome', ts: now, seq, expires_at: now + LIFETIME_MS });
}

beforeEach(() => {
  vi.useFakeTimers({
    toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
  });
  FakeWebSocket.reset();
  vi.stubGlobal('WebSocket', FakeWebSocket);
  clearTokens();
});

afterEach(() => {
  stopSocket?.();
  stopSocket = undefined;
  vi.useRealTimers();
});

describe('AccountSocket', () => {
  it('authenticates with its first frame, never in the URL, then delivers events in order', async () => {
    const pair = fakeTokenPair();
    storeTokens(pair, { signIn: true });
    const { events, resyncs } = startSocket();
    const ws = FakeWebSocket.latest();
    expect(ws.url).toBe(URL);
    expect(ws.url).not.toContain(pair.access);

    ws.open();
    await settle();
    expect(ws.sent).toEqual([{ type: 'auth', token: pair.access }]);

    welcome(ws, 7);
    ws.receive({ type: 'exchange_account_updated', seq: 8, ts: Date.now(), data: { id: 1 } });
    ws.receive({ type: 'order_updated', seq: 10, ts: Date.now(), data: {} });
    expect(events.map((e) => e.seq)).toEqual([8, 10]);
    expect(resyncs).toEqual(['connect', 'gap']);
  });

  it('re-authenticates on the open socket before the token expires, without losing events', async () => {
    const first = fakeTokenPair();
    const second = fakeTokenPair();
    storeTokens(first, { signIn: true });
    const refreshes = refreshServer([second]);
    const { events, resyncs } = startSocket();
    const ws = await openLatest();
    welcome(ws, 1);

    // Not yet: more than the margin is left.
    await vi.advanceTimersByTimeAsync(LIFETIME_MS - REAUTH_MARGIN_MS - 1000);
    expect(ws.sentOfType('auth')).toHaveLength(1);
    ws.receive({ type: 'balance_updated', seq: 2, ts: Date.now(), data: {} });

    await vi.advanceTimersByTimeAsync(1000);
    await settle();
    expect(refreshes).toEqual([first.refresh]);
    expect(ws.sentOfType('auth')).toEqual([
      { type: 'auth', token: first.access },
      { type: 'auth', token: second.access },
    ]);
    ws.receive({ type: 'reauthenticated', expires_at: Date.now() + LIFETIME_MS });
    ws.receive({ type: 'balance_updated', seq: 3, ts: Date.now(), data: {} });

    expect(FakeWebSocket.instances).toHaveLength(1); // same socket all along
    expect(events.map((e) => e.seq)).toEqual([2, 3]);
    expect(resyncs).toEqual(['connect']); // no gap, no reconnect
  });

  it('on 4401 refreshes once and reconnects with the new token', async () => {
    const first = fakeTokenPair();
    const second = fakeTokenPair();
    storeTokens(first, { signIn: true });
    const refreshes = refreshServer([second]);
    const { resyncs } = startSocket();
    const ws1 = await openLatest();
    welcome(ws1, 1);

    ws1.drop(4401, 'token expired');
    await settle();
    expect(refreshes).toEqual([first.refresh]);
    expect(FakeWebSocket.instances).toHaveLength(2);
    const ws2 = await openLatest();
    expect(ws2.sent).toEqual([{ type: 'auth', token: second.access }]);
    welcome(ws2, 5);
    expect(resyncs).toEqual(['connect', 'reconnect']);
    expect(sessionSnapshot().signedIn).toBe(true);
  });

  it('signs out when the token is refused again after the refresh', async () => {
    storeTokens(fakeTokenPair(), { signIn: true });
    const refreshes = refreshServer([fakeTokenPair()]);
    startSocket();
    await openLatest();
    FakeWebSocket.latest().drop(4401, 'invalid token');
    await settle();
    const ws2 = await openLatest();
    ws2.drop(4401, 'invalid token');
    await settle();
    await vi.advanceTimersByTimeAsync(60_000);

    expect(refreshes).toHaveLength(1);
    expect(sessionSnapshot().signedIn).toBe(false);
    expect(FakeWebSocket.instances).toHaveLength(2); // gave up
  });

  it('signs out when the refresh after a 4401 is refused', async () => {
    storeTokens(fakeTokenPair(), { signIn: true });
    refreshServer(['refuse']);
    startSocket();
    await openLatest();
    FakeWebSocket.latest().drop(4401, 'token expired');
    await settle();
    await vi.advanceTimersByTimeAsync(60_000);

    expect(sessionSnapshot().signedIn).toBe(false);
    expect(FakeWebSocket.instances).toHaveLength(1);
  });

  it('reconnects after an ordinary drop, authenticating again', async () => {
    const pair = fakeTokenPair();
    storeTokens(pair, { signIn: true });
    startSocket();
    await openLatest();
    FakeWebSocket.latest().drop(1006);
    await vi.advanceTimersByTimeAsync(1);
    const ws2 = FakeWebSocket.latest();
    expect(FakeWebSocket.instances).toHaveLength(2);
    ws2.open();
    await settle();
    expect(ws2.sent).toEqual([{ type: 'auth', token: pair.access }]);
  });
});
