/**
 * Start a run of a saved version, and pause, resume or stop one. Bad input is a 400
 * `{detail, field}`, a transition the run's status refuses a 409 `{detail}`: both shown as sent.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';

import {
  type RunTrigger,
  decodeRun,
  runKeys,
  runPath,
  startRunPath,
} from '@/features/strategies/api/runs';
import { api } from '@/lib/api';

export interface RunStartInput {
  version: number;
  exchangeAccount: number;
  symbols: string[];
  timeframe: string;
}

export function useStartRun(strategyId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: RunStartInput) =>
      api.post(startRunPath(strategyId), (json) => decodeRun(json), {
        body: {
          version: input.version,
          exchange_account: input.exchangeAccount,
          symbols: input.symbols,
          timeframe: input.timeframe,
        },
      }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: runKeys.list() }),
  });
}

export function useRunTrigger() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ runId, trigger }: { runId: number; trigger: RunTrigger }) =>
      api.post(`${runPath(runId)}${trigger}/`, (json) => decodeRun(json)),
    onSettled: (_run, _error, { runId }) =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: runKeys.list() }),
        queryClient.invalidateQueries({ queryKey: runKeys.detail(runId) }),
      ]),
  });
}
