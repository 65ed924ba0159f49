/** `GET /api/signals/{id}/`: one signal and the history of its changes. */
import { queryOptions, useQuery } from '@tanstack/react-query';

import { decodeSignal, signalKeys, type Signal } from '@/features/signals/api/signal';
import { api } from '@/lib/api';
import {
  expectArray,
  expectNumber,
  expectObject,
  expectOneOf,
  expectStringArray,
  expectTime,
  optionalString,
} from '@/lib/decode';

export interface SignalChange {
  kind: 'created' | 'updated' | 'deleted';
  /** Why a signal ended (`deleted` only), e.g. `tp_hit`. */
  reason: string;
  at: number;
  score: number;
  stopLoss: number;
  takeProfit: number;
  conditions: string[];
}

export interface SignalDetail extends Signal {
  changes: SignalChange[];
}

export function decodeSignalDetail(json: unknown): SignalDetail {
  const body = expectObject(json, 'signal');
  const changes = expectArray(body.changes, 'signal.changes').map((item, index): SignalChange => {
    const where = `signal.changes[${index}]`;
    const change = expectObject(item, where);
    return {
      kind: expectOneOf(change.kind, ['created', 'updated', 'deleted'], `${where}.kind`),
      reason: optionalString(change.reason, `${where}.reason`) ?? '',
      at: expectTime(change.at, `${where}.at`),
      score: expectNumber(change.score, `${where}.score`),
      stopLoss: expectNumber(change.stop_loss, `${where}.stop_loss`),
      takeProfit: expectNumber(change.take_profit, `${where}.take_profit`),
      conditions: expectStringArray(change.conditions, `${where}.conditions`),
    };
  });
  return { ...decodeSignal(body), changes };
}

export function signalPath(id: number): string {
  return `/api/signals/${id}/`;
}

export function getSignal(id: number, { signal }: { signal?: AbortSignal } = {}) {
  return api.get(signalPath(id), decodeSignalDetail, signal ? { signal } : {});
}

export function signalQueryOptions(id: number) {
  return queryOptions({
    queryKey: signalKeys.detail(id),
    queryFn: ({ signal }) => getSignal(id, { signal }),
  });
}

export function useSignal(id: number) {
  return useQuery(signalQueryOptions(id));
}
