/**
 * The one way the app talks HTTP to the backend: JSON over `fetch`, same origin as the page (the
 * built app is served by Django next to `/api`; in development Vite proxies `/api`).
 *
 * Every failure is one of the typed errors below, so callers (and the query client's retry policy)
 * can tell a server that is down from a request that will never succeed.
 */

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
  ) {
    super(message);
  }

  get isTemporary(): boolean {
    return this.status >= 500 || this.status === 429;
  }
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
}

/** Turns the decoded JSON of a response into a typed value, or throws `ResponseFormatError`. */
export type Decoder<T> = (json: unknown) => T;

type ResponseBody = { kind: 'json'; value: unknown } | { kind: 'text'; value: string };

/** Sends a request and returns the response's decoded JSON body, checked by `decode`. */
export async function apiRequest<T>(
  path: string,
  decode: Decoder<T>,
  options: RequestOptions = {},
): Promise<T> {
  const { method = 'GET', body, signal, acceptStatuses = [] } = options;
  const what = `${method} ${path}`;

  const init: RequestInit = {
    method,
    credentials: 'same-origin',
    headers: {
      Accept: 'application/json',
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
  };
  if (body !== undefined) init.body = JSON.stringify(body);
  if (signal) init.signal = signal;

  let response: Response;
  let payload: ResponseBody;
  try {
    response = await fetch(`${API_BASE_URL}${path}`, init);
    payload = parseBody(await response.text());
  } catch (error) {
    // A cancelled request is not a failure: let the AbortError through for the caller to ignore.
    if (signal?.aborted) throw error;
    throw new NetworkError(`${what}: no response from the server`, { cause: error });
  }

  if (!response.ok && !acceptStatuses.includes(response.status)) {
    throw new HttpError(
      `${what} failed with HTTP ${response.status}${detailOf(payload)}`,
      response.status,
      payload.value,
    );
  }
  if (payload.kind !== 'json') {
    throw new ResponseFormatError(`${what}: expected a JSON body (HTTP ${response.status})`);
  }
  return decode(payload.value);
}

export const api = {
  get: <T>(
    path: string,
    decode: Decoder<T>,
    options: Omit<RequestOptions, 'method' | 'body'> = {},
  ) => apiRequest(path, decode, { ...options, method: 'GET' }),
};

/** One short sentence for the user about why an API call failed. */
export function describeApiError(error: unknown): string {
  if (error instanceof NetworkError) return 'Cannot reach the server.';
  if (error instanceof HttpError) return `The server answered with HTTP ${error.status}.`;
  if (error instanceof ResponseFormatError) return 'The server sent an unexpected response.';
  return error instanceof Error ? error.message : String(error);
}

function parseBody(text: string): ResponseBody {
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
