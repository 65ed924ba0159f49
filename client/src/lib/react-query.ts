import { QueryClient } from '@tanstack/react-query';

import { HttpError, ResponseFormatError } from '@/lib/api';

const MAX_RETRIES = 3;

/** Retry what may succeed later (network failures, 5xx, 429); never what cannot (4xx, bad JSON). */
export function shouldRetry(failureCount: number, error: unknown): boolean {
  if (failureCount >= MAX_RETRIES) return false;
  if (error instanceof HttpError) return error.isTemporary;
  if (error instanceof ResponseFormatError) return false;
  return true;
}

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { retry: shouldRetry, staleTime: 5_000 },
    },
  });
}
