/**
 * `GET /api/scanner/status/`: what the scanner is doing. The socket's `scanner_status` events carry
 * the same object and are written straight into this query's cache.
 */
import { queryOptions, useQuery } from '@tanstack/react-query';

import { api } from '@/lib/api';
import { TIMEFRAMES, type Timeframe } from '@/features/signals/api/signal';
import {
  expectBoolean,
  expectNumber,
  expectObject,
  expectOneOf,
  expectString,
  expectTime,
  nullableNumber,
  nullableTime,
} from '@/lib/decode';

export const SCANNER_STATUS_PATH = '/api/scanner/status/';
const SCANNER_REFETCH_MS = 30_000;

export const SCANNER_STATES = ['idle', 'running', 'error', 'banned'] as const;
export type ScannerState = (typeof SCANNER_STATES)[number];

export interface ScanRun {
  startedAt: number;
  finishedAt: number | null;
  durationMs: number | null;
  symbols: number;
  signalsCreated: number;
  signalsUpdated: number;
  signalsClosed: number;
  status: string;
}

export interface ScannerStatus {
  state: ScannerState;
  lastScan: ScanRun | null;
  stream: { connected: boolean; lastEventAt: number | null };
  /** The shared request-weight governor; parts are null when the backend could not read it. */
  governor: { usedWeight: number | null; budget: number | null; bannedUntil: number | null };
  /**
   * The signal timeframes as the server knows them (backend `signals/config.py`, the one list).
   * Only those this client can show are kept; `TIMEFRAMES` is checked against the same list by a
   * backend test, so the two cannot drift apart unnoticed.
   */
  timeframes: Timeframe[];
}

function decodeScanRun(json: unknown, where: string): ScanRun {
  const run = expectObject(json, where);
  return {
    startedAt: expectTime(run.started_at, `${where}.started_at`),
    finishedAt: nullableTime(run.finished_at, `${where}.finished_at`),
    durationMs: nullableNumber(run.duration_ms, `${where}.duration_ms`),
    symbols: expectNumber(run.symbols, `${where}.symbols`),
    signalsCreated: expectNumber(run.signals_created, `${where}.signals_created`),
    signalsUpdated: expectNumber(run.signals_updated, `${where}.signals_updated`),
    signalsClosed: expectNumber(run.signals_closed, `${where}.signals_closed`),
    status: expectString(run.status, `${where}.status`),
  };
}

export function decodeScannerStatus(json: unknown): ScannerStatus {
  const s = expectObject(json, 'scanner');
  const stream = expectObject(s.stream, 'scanner.stream');
  // The governor reports `{error, banned}` alone when it cannot be read: every part is optional.
  const governor = expectObject(s.governor, 'scanner.governor');
  return {
    state: expectOneOf(s.state, SCANNER_STATES, 'scanner.state'),
    lastScan:
      s.last_scan === null || s.last_scan === undefined
        ? null
        : decodeScanRun(s.last_scan, 'scanner.last_scan'),
    stream: {
      connected: expectBoolean(stream.connected, 'scanner.stream.connected'),
      lastEventAt: nullableTime(stream.last_event_at, 'scanner.stream.last_event_at'),
    },
    timeframes: Array.isArray(s.timeframes)
      ? TIMEFRAMES.filter((tf) => (s.timeframes as unknown[]).includes(tf))
      : [...TIMEFRAMES],
    governor: {
      usedWeight: nullableNumber(governor.used_weight, 'scanner.governor.used_weight'),
      budget: nullableNumber(governor.budget, 'scanner.governor.budget'),
      // An ISO time, or epoch ms under `banned_until_ms`.
      bannedUntil:
        nullableTime(governor.banned_until, 'scanner.governor.banned_until') ??
        nullableNumber(governor.banned_until_ms, 'scanner.governor.banned_until_ms'),
    },
  };
}

export const scannerStatusKey = ['scanner', 'status'] as const;

export function getScannerStatus({ signal }: { signal?: AbortSignal } = {}) {
  return api.get(SCANNER_STATUS_PATH, decodeScannerStatus, signal ? { signal } : {});
}

export function scannerStatusQueryOptions() {
  return queryOptions({
    queryKey: scannerStatusKey,
    queryFn: ({ signal }) => getScannerStatus({ signal }),
    refetchInterval: SCANNER_REFETCH_MS,
  });
}

export function useScannerStatus() {
  return useQuery(scannerStatusQueryOptions());
}
