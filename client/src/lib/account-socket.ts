/**
 * The signed-in user's private channel, `/ws/account/`: orders, positions, balances, strategy logs
 * and exchange account changes. A `LiveSocket` (reconnects, heartbeat, sequence gaps) with the
 * channel's authentication on top:
 *
 * - the first frame of every connection is `{"type":"auth","token":<access>}`; the token never
 *   goes in the URL;
 * - the server's `welcome` (and each `reauthenticated`) says when the token expires; shortly
 *   before, a fresh token (refreshed through `lib/api.ts`, the same single refresh in flight as
 *   HTTP requests) is sent on the open socket, so no event is lost and sequence numbers go on;
 * - a close with 4401 (token refused or expired) is answered with one refresh and one new
 *   connection; if the server refuses that one too, or the refresh is refused, the user is signed
 *   out.
 */
import { refreshSession, SessionEndedError, validAccessToken } from '@/lib/api';
import { clearTokens } from '@/lib/session';
import {
  LiveSocket,
  wsUrl,
  type ConnectionStatus,
  type LiveSocketOptions,
  type ResyncReason,
  type SocketFrame,
} from '@/lib/ws';

export const ACCOUNT_SOCKET_PATH = '/ws/account/';
/** The server's close code for a missing, invalid or expired token. */
export const AUTH_CLOSE_CODE = 4401;
/** Re-authenticate this long before the server's deadline: room for a refresh and the round trip. */
export const REAUTH_MARGIN_MS = 30_000;
/** After a failed re-authentication (no network for the refresh), try again this much later. */
export const REAUTH_RETRY_MS = 5_000;

export interface AccountSocketOptions {
  /** Every event frame (`order_updated`, `exchange_account_updated`, ...). */
  onEvent: (frame: SocketFrame) => void;
  /** Refetch the user's data: after each welcome, and after a sequence gap. */
  onResync?: (reason: ResyncReason) => void;
  onStatus?: (status: ConnectionStatus) => void;
  url?: string;
  /** Connection settings passed on to `LiveSocket` (tests set `random`, `heartbeatMs`). */
  settings?: Partial<Pick<LiveSocketOptions, 'backoff' | 'random' | 'maxRetries' | 'heartbeatMs'>>;
}

export class AccountSocket {
  private readonly live: LiveSocket;
  private stopped = true;
  private reauthTimer: ReturnType<typeof setTimeout> | undefined;
  /** A 4401 was answered with a refresh and a new connection that has not been welcomed yet. */
  private retryingAfterRefusal = false;
  /** The server's clock minus ours, from the last welcome: expiry times are the server's. */
  private clockOffsetMs = 0;
  /** The token last sent, so a re-authentication never sends the same one again. */
  private sentToken: string | null = null;

  constructor(private readonly options: AccountSocketOptions) {
    this.live = new LiveSocket({
      ...options.settings,
      url: options.url ?? wsUrl(ACCOUNT_SOCKET_PATH),
      sequenced: true,
      hello: this.hello,
      onWelcome: this.handleWelcome,
      onFrame: this.handleFrame,
      onClose: this.handleClose,
      onResync: (reason) => {
        this.options.onResync?.(reason);
      },
      onStatus: (status) => {
        this.options.onStatus?.(status);
      },
    });
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.live.start();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.reauthTimer);
    this.live.stop();
  }

  private readonly hello = async (): Promise<unknown> => {
    const token = await validAccessToken(REAUTH_MARGIN_MS);
    if (token === null) {
      // Signed out meanwhile: nothing to connect as.
      this.stop();
      throw new SessionEndedError('Not signed in', 401, null);
    }
    this.sentToken = token;
    return { type: 'auth', token };
  };

  private readonly handleWelcome = (frame: SocketFrame): void => {
    this.retryingAfterRefusal = false;
    if (frame.ts !== undefined) this.clockOffsetMs = frame.ts - Date.now();
    this.scheduleReauth(frame.expiresAt);
  };

  private readonly handleFrame = (frame: SocketFrame): void => {
    if (frame.type === 'reauthenticated') {
      this.scheduleReauth(frame.expiresAt);
      return;
    }
    // The server's reason before a 4401 close (Daphne drops the close reason); the close follows.
    if (frame.type === 'error') return;
    this.options.onEvent(frame);
  };

  private scheduleReauth(expiresAt: number | undefined): void {
    clearTimeout(this.reauthTimer);
    if (expiresAt === undefined || this.stopped) return;
    const localDeadline = expiresAt - this.clockOffsetMs;
    // At least a second apart, whatever the token says: never a tight loop of refreshes.
    const delay = Math.max(1000, localDeadline - Date.now() - REAUTH_MARGIN_MS);
    this.reauthTimer = setTimeout(() => void this.reauth(), delay);
  }

  private async reauth(): Promise<void> {
    let token: string | null;
    try {
      // The current token has about REAUTH_MARGIN_MS left: ask for one good for longer, which
      // refreshes unless an HTTP request already did.
      token = await validAccessToken(2 * REAUTH_MARGIN_MS);
      if (token !== null && token === this.sentToken) token = await refreshSession();
    } catch (error) {
      if (error instanceof SessionEndedError || this.stopped) return;
      // The refresh could not reach the server: try again soon. If the deadline passes first,
      // the server closes with 4401 and `handleClose` takes over.
      this.reauthTimer = setTimeout(() => void this.reauth(), REAUTH_RETRY_MS);
      return;
    }
    if (token === null || this.stopped) return;
    if (this.live.send({ type: 'auth', token })) this.sentToken = token;
  }

  private readonly handleClose = (code: number): void => {
    clearTimeout(this.reauthTimer);
    if (code !== AUTH_CLOSE_CODE || this.stopped) return; // LiveSocket reconnects on its own
    // Refused: take the reconnecting over from LiveSocket.
    this.live.stop();
    if (this.retryingAfterRefusal) {
      // A freshly refreshed token was refused too: this session is not coming back.
      this.stop();
      clearTokens();
      return;
    }
    this.retryingAfterRefusal = true;
    refreshSession().then(
      () => {
        if (!this.stopped) this.live.start();
      },
      (error: unknown) => {
        if (error instanceof SessionEndedError) {
          this.stop(); // signed out by the refusal
          return;
        }
        // No answer from the server: reconnect with backoff; the auth frame refreshes again.
        if (!this.stopped) this.live.start();
      },
    );
  };
}
