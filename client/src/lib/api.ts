/**
 * The one way the app talks HTTP to the backend: JSON over `fetch`, same origin as the page (the
 * built app is served by Django next to `/api`; in development Vite proxies `/api`).
 *
 * Every failure is one of the typed errors below, so callers (and the query client's retry policy)
 * can tell a server that is down from a request that will never succeed.
 *
 * Signed in (see `lib/session.ts`), every request carries `Authorization: Bearer <access>`; tokens
 * never go in a URL. An access token about to expire is refreshed before the request, and a 401
 * refreshes it and replays the request once. However many requests hit a 401 together, one refresh
 * is in flight and all of them wait for it and replay with its token; a refresh the server refuses
 * ends the session (the user is signed out) and the requests replay without a token.
 */
import { accessToken, clearTokens, refreshToken, storeTokens, type TokenPair } from '@/lib/session';

/** Prefix for every request path. Empty: the API lives on the page's own origin. */
export const API_BASE_URL = '';

/** Base of every error thrown by this module. */
export abstract class ApiError extends Error {
  override name = 'ApiError';
}

/**
 * No response arrived: the backend is down or unreachable, or the connection dropped mid-body.
 * Temporary: retry later.
 */
export class NetworkError extends ApiError {
  override name = 'NetworkError';
}

/**
 * The server answered with a status the caller did not accept. 5xx (and 429) are temporary and
 * worth retrying; other 4xx are permanent: the request itself is wrong and retrying will not help.
 */
export class HttpError extends ApiError {
  override name = 'HttpError';

  constructor(
    message: string,
    readonly status: number,
    /** The decoded JSON body if the server sent one, otherwise its raw text. */
    readonly body: unknown,
    /** From `Retry-After` (429, 503): seconds to wait before trying again. */
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
  }

  get isTemporary(): boolean {
    return this.status >= 500 || this.status === 429;
  }
}

/**
 * The session is over: there is no refresh token, or the server refused it. The user is signed
 * out by the time this is thrown. Permanent: sign in again.
 */
export class SessionEndedError extends HttpError {
  override name = 'SessionEndedError';
}

/**
 * The server answered, but not with the JSON this client expects (a proxy's HTML error page, or a
 * payload of another shape). Permanent for this build of the client: report it, do not retry.
 */
export class ResponseFormatError extends ApiError {
  override name = 'ResponseFormatError';
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RequestOptions {
  method?: HttpMethod;
  /** Sent as JSON. */
  body?: unknown;
  signal?: AbortSignal;
  /**
   * Non-2xx statuses whose body is data rather than a failure. `/api/health/` answers 503 with a
   * full report when a part is down; the caller wants that report, not an exception.
   */
  acceptStatuses?: readonly number[];
  /**
   * Send no token and do not refresh on 401: the auth endpoints themselves, where a 401 means
   * "wrong password", not "token expired".
   */
  anonymous?: boolean;
}

/** Turns the decoded JSON of a response into a typed value, or throws `ResponseFormatError`. */
export type Decoder<T> = (json: unknown) => T;

type ResponseBody = { kind: 'json'; value: unknown } | { kind: 'text'; value: string };

/** A token this close to expiry is refreshed before use rather than sent to be refused. */
export const ACCESS_TOKEN_MIN_VALIDITY_MS = 15_000;

/** Sends a request and returns the response's decoded JSON body, checked by `decode`. */
export async function apiRequest<T>(
  path: string,
  decode: Decoder<T>,
  options: RequestOptions = {},
): Promise<T> {
  const { method = 'GET', acceptStatuses = [], anonymous = false } = options;
  const what = `${method} ${path}`;

  let token = anonymous ? null : await validAccessToken();
  let result = await send(path, options, token);
  if (result.response.status === 401 && token !== null) {
    token = await accessTokenAfter401(token);
    result = await send(path, options, token);
  }
  const { response, payload } = result;

  if (!response.ok && !acceptStatuses.includes(response.status)) {
    throw new HttpError(
      `${what} failed with HTTP ${response.status}${detailOf(payload)}`,
      response.status,
      payload.value,
      retryAfterOf(response),
    );
  }
  if (payload.kind !== 'json') {
    throw new ResponseFormatError(`${what}: expected a JSON body (HTTP ${response.status})`);
  }
  return decode(payload.value);
}

/**
 * A GET whose answer is a file (a CSV export), returned as text: the same token handling and
 * typed errors as `apiRequest` (an error answer's JSON body is in the `HttpError`).
 */
export async function apiText(
  path: string,
  options: { signal?: AbortSignal } = {},
): Promise<string> {
  let token = await validAccessToken();
  let response = await sendRaw(path, token, options.signal);
  if (response.status === 401 && token !== null) {
    token = await accessTokenAfter401(token);
    response = await sendRaw(path, token, options.signal);
  }
  const text = await response.text();
  if (!response.ok) {
    const payload = parseBody(text, response.status);
    throw new HttpError(
      `GET ${path} failed with HTTP ${response.status}${detailOf(payload)}`,
      response.status,
      payload.value,
      retryAfterOf(response),
    );
  }
  return text;
}

async function sendRaw(
  path: string,
  token: string | null,
  signal?: AbortSignal,
): Promise<Response> {
  try {
    return await fetch(`${API_BASE_URL}${path}`, {
      credentials: 'same-origin',
      headers: token === null ? {} : { Authorization: `Bearer ${token}` },
      ...(signal ? { signal } : {}),
    });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new NetworkError(`GET ${path}: no response from the server`, { cause: error });
  }
}

async function send(
  path: string,
  { method = 'GET', body, signal }: RequestOptions,
  token: string | null,
): Promise<{ response: Response; payload: ResponseBody }> {
  const init: RequestInit = {
    method,
    credentials: 'same-origin',
    headers: {
      Accept: 'application/json',
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...(token === null ? {} : { Authorization: `Bearer ${token}` }),
    },
  };
  if (body !== undefined) init.body = JSON.stringify(body);
  if (signal) init.signal = signal;
  try {
    const response = await fetch(`${API_BASE_URL}${path}`, init);
    return { response, payload: parseBody(await response.text(), response.status) };
  } catch (error) {
    // A cancelled request is not a failure: let the AbortError through for the caller to ignore.
    if (signal?.aborted) throw error;
    throw new NetworkError(`${method} ${path}: no response from the server`, { cause: error });
  }
}

/** The access token to send now (refreshed first if it is about to expire); null: signed out. */
export async function validAccessToken(
  minValidityMs = ACCESS_TOKEN_MIN_VALIDITY_MS,
): Promise<string | null> {
  if (refreshToken() === null) return null;
  const current = accessToken();
  if (current && (current.expiresAt === null || current.expiresAt - Date.now() > minValidityMs)) {
    return current.token;
  }
  try {
    return await refreshSession();
  } catch (error) {
    if (error instanceof SessionEndedError) return null;
    throw error;
  }
}

/** `used` was refused: a newer token if one arrived meanwhile, else a refreshed one; null if none. */
async function accessTokenAfter401(used: string): Promise<string | null> {
  const current = accessToken();
  if (current && current.token !== used) return current.token;
  try {
    return await refreshSession();
  } catch (error) {
    if (error instanceof SessionEndedError) return null;
    throw error;
  }
}

let refreshing: Promise<string> | null = null;

/**
 * Trades the refresh token for a new pair (rotation: the old refresh token is now blacklisted) and
 * returns the new access token. Callers that arrive while a refresh is in flight share it: two
 * refreshes with the same token would have the second refused and the user signed out.
 * Rejects with `SessionEndedError` (after signing out) if the server refuses the refresh token,
 * and with `NetworkError`/`HttpError` (still signed in) if it could not answer.
 */
export function refreshSession(): Promise<string> {
  refreshing ??= runRefresh().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

async function runRefresh(retried = false): Promise<string> {
  const sent = refreshToken();
  if (sent === null) throw new SessionEndedError('Not signed in', 401, null);
  let pair: TokenPair;
  try {
    pair = await apiRequest(REFRESH_PATH, decodeTokenPair, {
      method: 'POST',
      body: { refresh: sent },
      anonymous: true,
    });
  } catch (error) {
    if (!(error instanceof HttpError) || (error.status !== 401 && error.status !== 400))
      throw error;
    // Another tab may have rotated the token while this one was on its way: use the newer one.
    const newer = refreshToken();
    if (!retried && newer !== null && newer !== sent) return runRefresh(true);
    clearTokens();
    throw new SessionEndedError('Your session has ended: sign in again', 401, error.body);
  }
  // Signed out while the refresh was on its way: do not sign back in.
  if (refreshToken() === null) throw new SessionEndedError('Signed out', 401, null);
  storeTokens(pair);
  return pair.access;
}

export const REFRESH_PATH = '/api/auth/refresh/';

export function decodeTokenPair(json: unknown): TokenPair {
  const value = (typeof json === 'object' && json !== null ? json : {}) as Record<string, unknown>;
  if (typeof value.access !== 'string' || typeof value.refresh !== 'string') {
    throw new ResponseFormatError('token pair: expected "access" and "refresh" strings');
  }
  return { access: value.access, refresh: value.refresh };
}

type BodyOptions = Omit<RequestOptions, 'method'>;

export const api = {
  get: <T>(
    path: string,
    decode: Decoder<T>,
    options: Omit<RequestOptions, 'method' | 'body'> = {},
  ) => apiRequest(path, decode, { ...options, method: 'GET' }),
  post: <T>(path: string, decode: Decoder<T>, options: BodyOptions = {}) =>
    apiRequest(path, decode, { ...options, method: 'POST' }),
  patch: <T>(path: string, decode: Decoder<T>, options: BodyOptions = {}) =>
    apiRequest(path, decode, { ...options, method: 'PATCH' }),
  delete: (path: string, options: Omit<RequestOptions, 'method' | 'body'> = {}) =>
    apiRequest(path, noContent, { ...options, method: 'DELETE' }),
};

/** For 204 answers: there is nothing to decode. */
export function noContent(): undefined {
  return undefined;
}

/** One short sentence for the user about why an API call failed. */
export function describeApiError(error: unknown): string {
  if (error instanceof NetworkError) return 'Cannot reach the server.';
  if (error instanceof HttpError) return `The server answered with HTTP ${error.status}.`;
  if (error instanceof ResponseFormatError) return 'The server sent an unexpected response.';
  return error instanceof Error ? error.message : String(error);
}

function parseBody(text: string, status: number): ResponseBody {
  // 204 and other empty answers carry no body; read them as JSON null.
  if (status === 204 || text === '') return { kind: 'json', value: null };
  // Decide by content rather than by Content-Type: what matters is whether it parses.
  try {
    return { kind: 'json', value: JSON.parse(text) as unknown };
  } catch {
    return { kind: 'text', value: text };
  }
}

/** DRF puts a human-readable reason in `detail`; surface it in the error message. */
function detailOf(payload: ResponseBody): string {
  const { value } = payload;
  if (typeof value === 'object' && value !== null && 'detail' in value) {
    const { detail } = value;
    if (typeof detail === 'string') return `: ${detail}`;
  }
  return '';
}

/** `Retry-After` in seconds: either a number of seconds or an HTTP date. */
function retryAfterOf(response: Response): number | null {
  const header = response.headers.get('Retry-After');
  if (header === null || header.trim() === '') return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}
