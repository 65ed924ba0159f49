/**
 * `GET /api/health/`: the backend's view of its own parts (database, Redis, channel layer,
 * Celery). It answers 200 when every part is fine and 503 when one failed; both carry the same
 * report, so 503 is read as data here, not thrown.
 */
import { queryOptions, useQuery } from '@tanstack/react-query';

import { api } from '@/lib/api';
import {
  expectBoolean,
  expectObject,
  expectOneOf,
  optionalNumber,
  optionalString,
  optionalStringArray,
} from '@/lib/decode';

export const HEALTH_PATH = '/api/health/';
export const HEALTH_REFETCH_INTERVAL_MS = 10_000;

export interface HealthCheck {
  /** The backend's key for the part, e.g. `channel_layer`. */
  name: string;
  ok: boolean;
  latencyMs: number | null;
  error: string | null;
  /** Celery only: names of the workers that answered the ping. */
  workers: string[] | null;
}

export interface HealthReport {
  status: 'ok' | 'error';
  /** Known parts first, in `KNOWN_CHECKS` order, then any others by name. */
  checks: HealthCheck[];
}

export const KNOWN_CHECKS = ['database', 'redis', 'channel_layer', 'celery'] as const;

export function decodeHealthReport(json: unknown): HealthReport {
  const report = expectObject(json, 'health');
  const checks = Object.entries(expectObject(report.checks, 'health.checks')).map(
    ([name, value]): HealthCheck => {
      const where = `health.checks.${name}`;
      const check = expectObject(value, where);
      return {
        name,
        ok: expectBoolean(check.ok, `${where}.ok`),
        latencyMs: optionalNumber(check.latency_ms, `${where}.latency_ms`),
        error: optionalString(check.error, `${where}.error`),
        workers: optionalStringArray(check.workers, `${where}.workers`),
      };
    },
  );
  checks.sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name));
  return { status: expectOneOf(report.status, ['ok', 'error'], 'health.status'), checks };
}

function rank(name: string): number {
  const index = (KNOWN_CHECKS as readonly string[]).indexOf(name);
  return index === -1 ? KNOWN_CHECKS.length : index;
}

export function getHealth({ signal }: { signal?: AbortSignal } = {}): Promise<HealthReport> {
  return api.get(HEALTH_PATH, decodeHealthReport, {
    acceptStatuses: [503],
    ...(signal ? { signal } : {}),
  });
}

export const healthQueryKey = ['health'] as const;

export function healthQueryOptions() {
  return queryOptions({
    queryKey: healthQueryKey,
    queryFn: ({ signal }) => getHealth({ signal }),
    refetchInterval: HEALTH_REFETCH_INTERVAL_MS,
    // The next poll is the retry: a failed check should show within one interval, not after a
    // round of backoff.
    retry: false,
  });
}

export function useHealth() {
  return useQuery(healthQueryOptions());
}
