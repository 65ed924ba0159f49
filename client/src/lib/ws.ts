/**
 * A WebSocket that stays connected: reconnects with exponential backoff and full jitter, checks
 * the line with a ping every 30 s (no pong within 10 s means the connection is dead even if the
 * browser has not noticed), and tells its owner when what it holds may be stale so it can resync
 * over REST.
 *
 * Sequenced streams (`/ws/signals/`) start with `{"type":"welcome","seq":N}`, N being the last
 * sequence number the server sent; every event after it carries `seq` growing by one. An event
 * whose `seq` is not the last plus one means frames were lost: the owner is told to resync. Every
 * welcome asks for a resync too, since nothing says what happened before the socket was open.
 *
 * A private stream (`/ws/account/`) needs a first frame before anything else (`hello`: the auth
 * frame, built fresh for every connection) and tells when the socket is closed on purpose
 * (`onClose`: code 4401 means "sign in again"), so its owner can take over the reconnecting.
 *
 * The server may pack the events of one pass into `{"type":"batch","events":[frame, ...]}`; they
 * are handled one by one, in order, exactly as if they had come in separate frames.
 */

/**
 * `closed`: not connected and not trying: stopped, out of retries, or the browser is offline (it
 * tries again the moment the browser is back online).
 */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface ConnectionStatus {
  state: ConnectionState;
  /** Failed attempts since the last healthy connection. */
  attempt: number;
  /** When the next attempt starts (epoch ms), while waiting to reconnect. */
  retryAt: number | null;
}

/** A frame from the server, parsed; `data` is left for the owner to decode. */
export interface SocketFrame {
  type: string;
  seq?: number;
  /** The server's counter epoch: another epoch means the counter restarted (Redis reset). */
  epoch?: string;
  ts?: number;
  data?: unknown;
  /** `welcome` and `reauthenticated` on an authenticated stream: when the token expires (ms). */
  expiresAt?: number;
}

/**
 * `connect`: first welcome; `reconnect`: welcome after a drop; `gap`: a sequence number was skipped
 * (a frame or a pong showed a number beyond the next); `epoch`: the server's counter restarted.
 */
export type ResyncReason = 'connect' | 'reconnect' | 'gap' | 'epoch';

export interface BackoffOptions {
  baseMs: number;
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, capMs: 30_000 };
export const HEARTBEAT_INTERVAL_MS = 30_000;
export const PONG_TIMEOUT_MS = 10_000;
/** A socket still connecting after this long is given up on and retried. */
export const OPEN_TIMEOUT_MS = 10_000;

/**
 * "Full jitter": a uniform delay in [0, min(cap, base * 2^attempt)). Spreads reconnecting clients
 * over the whole window, so a restarted server is not hit by all of them at once.
 */
export function backoffDelay(
  attempt: number,
  { baseMs, capMs }: BackoffOptions = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt));
  return Math.floor(random() * ceiling);
}

export interface LiveSocketOptions {
  url: string;
  /** Every frame but the socket's own (`welcome`, `pong`). */
  onFrame: (frame: SocketFrame) => void;
  onResync?: (reason: ResyncReason) => void;
  onStatus?: (status: ConnectionStatus) => void;
  /**
   * The first frame of every connection (an auth frame), sent before any ping. May be async (a
   * token to refresh first); if it throws, the connection is dropped and retried with backoff.
   */
  hello?: () => unknown;
  /** Every `welcome` frame, before `onResync`. */
  onWelcome?: (frame: SocketFrame) => void;
  /**
   * The socket closed (by the server, or the connection was lost). Called before a reconnect is
   * scheduled: calling `stop()` here keeps it from reconnecting, so the owner can decide.
   */
  onClose?: (code: number, reason: string) => void;
  /** Frames carry `seq`; watch for gaps. */
  sequenced?: boolean;
  heartbeatMs?: number;
  pongTimeoutMs?: number;
  openTimeoutMs?: number;
  backoff?: BackoffOptions;
  /** Attempts before giving up (state `closed`). Unlimited by default: a dashboard keeps trying. */
  maxRetries?: number;
  random?: () => number;
}

/** Same-origin WebSocket URL for `path` (`/ws/signals/` -> `ws://host/ws/signals/`). */
export function wsUrl(path: string, location: Location = window.location): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}${path}`;
}

function toFrame(value: unknown): SocketFrame | null {
  if (typeof value !== 'object' || value === null) return null;
  const frame = value as Record<string, unknown>;
  if (typeof frame.type !== 'string') return null;
  return {
    type: frame.type,
    ...(typeof frame.seq === 'number' ? { seq: frame.seq } : {}),
    ...(typeof frame.epoch === 'string' ? { epoch: frame.epoch } : {}),
    ...(typeof frame.ts === 'number' ? { ts: frame.ts } : {}),
    ...('data' in frame ? { data: frame.data } : {}),
    ...(typeof frame.expires_at === 'number' ? { expiresAt: frame.expires_at } : {}),
  };
}

/** The frames of one message: one, or the events of a `batch`, in order; null if malformed. */
export function parseFrames(text: unknown): SocketFrame[] | null {
  if (typeof text !== 'string') return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  const frame = toFrame(value);
  if (!frame) return null;
  if (frame.type !== 'batch') return [frame];
  const events = (value as { events?: unknown }).events;
  if (!Array.isArray(events)) return null;
  const frames = events.map(toFrame);
  return frames.every((f): f is SocketFrame => f !== null) ? frames : null;
}

export class LiveSocket {
  private socket: WebSocket | null = null;
  private status: ConnectionStatus = { state: 'closed', attempt: 0, retryAt: null };
  private stopped = true;
  private everWelcomed = false;
  private lastSeq: number | null = null;
  private lastEpoch: string | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private openTimer: ReturnType<typeof setTimeout> | undefined;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private pongTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly options: LiveSocketOptions) {}

  get connection(): ConnectionStatus {
    return this.status;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    window.addEventListener('online', this.retryNow);
    window.addEventListener('offline', this.goOffline);
    this.connect('connecting');
  }

  stop(): void {
    this.stopped = true;
    window.removeEventListener('online', this.retryNow);
    window.removeEventListener('offline', this.goOffline);
    clearTimeout(this.retryTimer);
    this.dropSocket(1000, 'client stopped');
    this.setStatus({ state: 'closed', attempt: this.status.attempt, retryAt: null });
  }

  /** Sends `message` as JSON if the socket is open; returns whether it was sent. */
  send(message: unknown): boolean {
    if (this.socket?.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(message));
    return true;
  }

  private connect(state: 'connecting' | 'reconnecting'): void {
    this.setStatus({ state, attempt: this.status.attempt, retryAt: null });
    let socket: WebSocket;
    try {
      socket = new WebSocket(this.options.url);
    } catch {
      // An invalid URL throws synchronously; treat it like a failed attempt.
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.onopen = this.handleOpen;
    socket.onmessage = this.handleMessage;
    socket.onclose = this.handleClose;
    // `error` is always followed by `close`, which does the work.
    socket.onerror = null;
    this.openTimer = setTimeout(() => {
      this.reconnect('open timeout');
    }, this.options.openTimeoutMs ?? OPEN_TIMEOUT_MS);
  }

  private readonly handleOpen = (): void => {
    clearTimeout(this.openTimer);
    this.lastSeq = null;
    this.lastEpoch = null;
    this.setStatus({ state: 'open', attempt: this.status.attempt, retryAt: null });
    const { hello } = this.options;
    if (!hello) {
      this.startHeartbeat();
      return;
    }
    const socket = this.socket;
    Promise.resolve()
      .then(hello)
      .then(
        (frame) => {
          if (this.socket !== socket) return; // dropped while the frame was being made
          this.send(frame);
          this.startHeartbeat();
        },
        () => {
          if (this.socket === socket) this.reconnect('hello failed');
        },
      );
  };

  private startHeartbeat(): void {
    this.pingTimer = setInterval(this.ping, this.options.heartbeatMs ?? HEARTBEAT_INTERVAL_MS);
  }

  private readonly handleMessage = (event: MessageEvent): void => {
    const frames = parseFrames(event.data);
    if (!frames) {
      console.warn('LiveSocket: ignoring a frame that is not a JSON object with a type');
      return;
    }
    // Any frame proves the connection works: the next drop starts backing off from scratch.
    if (this.status.attempt !== 0) this.setStatus({ ...this.status, attempt: 0 });
    for (const frame of frames) this.handleFrame(frame);
  };

  private readonly handleFrame = (frame: SocketFrame): void => {
    if (frame.type === 'pong') {
      clearTimeout(this.pongTimer);
      this.pongTimer = undefined;
      this.checkPosition(frame);
      return;
    }
    if (frame.type === 'welcome') {
      this.lastSeq = frame.seq ?? null;
      this.lastEpoch = frame.epoch ?? null;
      const reason = this.everWelcomed ? 'reconnect' : 'connect';
      this.everWelcomed = true;
      this.options.onWelcome?.(frame);
      this.options.onResync?.(reason);
      return;
    }
    if (this.options.sequenced && frame.seq !== undefined) {
      if (frame.epoch !== undefined && this.lastEpoch !== null && frame.epoch !== this.lastEpoch) {
        // The counter restarted: the new numbers say nothing against the old ones.
        this.lastEpoch = frame.epoch;
        this.lastSeq = frame.seq;
        this.options.onFrame(frame);
        this.options.onResync?.('epoch');
        return;
      }
      if (frame.epoch !== undefined) this.lastEpoch = frame.epoch;
      const last = this.lastSeq;
      if (last !== null && frame.seq <= last) return; // already seen
      this.lastSeq = frame.seq;
      if (last !== null && frame.seq !== last + 1) {
        // Apply what arrived, then let the owner fetch what was missed.
        this.options.onFrame(frame);
        this.options.onResync?.('gap');
        return;
      }
    }
    this.options.onFrame(frame);
  };

  /**
   * A pong carries the server's (epoch, seq): an idle socket learns from it that it missed events
   * (a publish whose frame never came) or that the counter restarted, within one heartbeat.
   */
  private checkPosition(frame: SocketFrame): void {
    if (!this.options.sequenced || frame.seq === undefined || frame.epoch === undefined) return;
    if (this.lastEpoch !== null && frame.epoch !== this.lastEpoch) {
      this.lastEpoch = frame.epoch;
      this.lastSeq = frame.seq;
      this.options.onResync?.('epoch');
    } else if (this.lastSeq !== null && frame.seq > this.lastSeq) {
      this.lastSeq = frame.seq;
      this.options.onResync?.('gap');
    }
  }

  private readonly handleClose = (event: CloseEvent): void => {
    this.dropSocket();
    this.options.onClose?.(event.code, event.reason);
    this.scheduleReconnect();
  };

  private readonly ping = (): void => {
    if (!this.send({ type: 'ping' })) return;
    if (this.pongTimer !== undefined) return; // still waiting for the previous pong
    this.pongTimer = setTimeout(() => {
      this.reconnect('pong timeout');
    }, this.options.pongTimeoutMs ?? PONG_TIMEOUT_MS);
  };

  /** The browser came back online: waiting out the backoff would only delay the obvious. */
  private readonly retryNow = (): void => {
    if (this.stopped || this.socket) return;
    clearTimeout(this.retryTimer);
    this.connect('reconnecting');
  };

  /** Without a network a socket cannot work: stop trying until the browser is back online. */
  private readonly goOffline = (): void => {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    this.dropSocket(4001, 'browser offline');
    this.setStatus({ state: 'closed', attempt: this.status.attempt, retryAt: null });
  };

  /** Abandons a connection that looks dead and starts over. */
  private reconnect(reason: string): void {
    this.dropSocket(4000, reason);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    if (!navigator.onLine) {
      this.goOffline();
      return;
    }
    const attempt = this.status.attempt + 1;
    if (attempt > (this.options.maxRetries ?? Infinity)) {
      this.stopped = true;
      this.setStatus({ state: 'closed', attempt, retryAt: null });
      return;
    }
    const delay = backoffDelay(attempt - 1, this.options.backoff, this.options.random);
    this.setStatus({ state: 'reconnecting', attempt, retryAt: Date.now() + delay });
    this.retryTimer = setTimeout(() => {
      this.connect('reconnecting');
    }, delay);
  }

  /** Detaches and closes the current socket (if any) and stops its timers. */
  private dropSocket(code?: number, reason?: string): void {
    clearTimeout(this.openTimer);
    clearInterval(this.pingTimer);
    clearTimeout(this.pongTimer);
    this.pongTimer = undefined;
    const socket = this.socket;
    this.socket = null;
    if (!socket) return;
    socket.onopen = null;
    socket.onmessage = null;
    socket.onclose = null;
    if (socket.readyState === WebSocket.CONNECTING || socket.readyState === WebSocket.OPEN) {
      socket.close(code, reason);
    }
  }

  private setStatus(status: ConnectionStatus): void {
    this.status = status;
    this.options.onStatus?.(status);
  }
}
