import { describeApiError } from '@/lib/api';

/** The API's `detail` when it sent one (a refusal says why), else a short generic sentence. */
export function messageOf(error: unknown): string {
  const body = (error as { body?: unknown } | null)?.body;
  if (typeof body === 'object' && body !== null && 'detail' in body) {
    return String(body.detail);
  }
  return describeApiError(error);
}
