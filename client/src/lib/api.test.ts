import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';

import { api, apiText, HttpError, NetworkError, ResponseFormatError } from '@/lib/api';
import { shouldRetry } from '@/lib/react-query';
import { server } from '@/testing/mocks/server';

const asIs = (json: unknown) => json;

describe('api.get', () => {
  it('returns the decoded JSON body', async () => {
    server.use(http.get('/api/thing/', () => HttpResponse.json({ n: 1 })));
    await expect(api.get('/api/thing/', asIs)).resolves.toEqual({ n: 1 });
  });

  it('throws HttpError with the status and DRF detail for an unexpected status', async () => {
    server.use(
      http.get('/api/thing/', () => HttpResponse.json({ detail: 'Not found.' }, { status: 404 })),
    );
    const error = await api.get('/api/thing/', asIs).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ status: 404, body: { detail: 'Not found.' } });
    expect((error as HttpError).message).toBe('GET /api/thing/ failed with HTTP 404: Not found.');
  });

  it('returns the body of a status the caller accepts', async () => {
    server.use(http.get('/api/thing/', () => HttpResponse.json({ n: 2 }, { status: 503 })));
    await expect(api.get('/api/thing/', asIs, { acceptStatuses: [503] })).resolves.toEqual({
      n: 2,
    });
  });

  it('throws NetworkError when no response arrives', async () => {
    server.use(http.get('/api/thing/', () => HttpResponse.error()));
    await expect(api.get('/api/thing/', asIs)).rejects.toBeInstanceOf(NetworkError);
  });

  it('throws ResponseFormatError for a body that is not JSON', async () => {
    server.use(http.get('/api/thing/', () => HttpResponse.html('<h1>Bad gateway</h1>')));
    await expect(api.get('/api/thing/', asIs)).rejects.toBeInstanceOf(ResponseFormatError);
  });

  it('lets an aborted request reject with the abort, not a NetworkError', async () => {
    server.use(http.get('/api/thing/', () => new Promise(() => undefined)));
    const controller = new AbortController();
    const request = api.get('/api/thing/', asIs, { signal: controller.signal });
    controller.abort();
    const error = await request.catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(NetworkError);
    expect((error as Error).name).toBe('AbortError');
  });
});

describe('apiText', () => {
  it('returns a file answer as text, and an error answer as an HttpError with its JSON body', async () => {
    server.use(
      http.get(
        '/api/file.csv',
        () => new HttpResponse('a,b\n1,2\n', { headers: { 'Content-Type': 'text/csv' } }),
      ),
      http.get('/api/early.csv', () => HttpResponse.json({ detail: 'not DONE' }, { status: 409 })),
      http.get('/api/down.csv', () => HttpResponse.error()),
    );
    await expect(apiText('/api/file.csv')).resolves.toBe('a,b\n1,2\n');
    const refused = await apiText('/api/early.csv').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(HttpError);
    expect((refused as HttpError).status).toBe(409);
    expect((refused as HttpError).body).toEqual({ detail: 'not DONE' });
    await expect(apiText('/api/down.csv')).rejects.toBeInstanceOf(NetworkError);
  });
});

describe('shouldRetry', () => {
  it('retries temporary failures only, and only a few times', () => {
    expect(shouldRetry(0, new NetworkError('down'))).toBe(true);
    expect(shouldRetry(0, new HttpError('x', 502, ''))).toBe(true);
    expect(shouldRetry(0, new HttpError('x', 429, ''))).toBe(true);
    expect(shouldRetry(0, new HttpError('x', 400, ''))).toBe(false);
    expect(shouldRetry(0, new ResponseFormatError('x'))).toBe(false);
    expect(shouldRetry(3, new NetworkError('down'))).toBe(false);
  });
});
