/**
 * Writes of `/api/strategies/`: create a strategy (from a template: with its version 1), save a
 * new version, validate without saving. A workspace that does not compile is a 400 listing its
 * errors by block (`utils/compile-errors.ts` reads them).
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';

import {
  STRATEGIES_PATH,
  type Workspace,
  decodeStrategyDetail,
  decodeValidation,
  decodeVersion,
  strategyKeys,
  versionsPath,
} from '@/features/strategies/api/strategies';
import { api } from '@/lib/api';

export function useCreateStrategy() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: { name: string; workspace?: Workspace }) =>
      api.post(STRATEGIES_PATH, decodeStrategyDetail, { body: input }),
    onSuccess: (created) => {
      queryClient.setQueryData(strategyKeys.detail(created.id), created);
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: strategyKeys.list() }),
  });
}

export function useSaveVersion(strategyId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (workspace: Workspace) =>
      api.post(versionsPath(strategyId), (json) => decodeVersion(json), { body: { workspace } }),
    onSuccess: (version) => {
      queryClient.setQueryData(strategyKeys.version(strategyId, version.number), version);
    },
    onSettled: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: strategyKeys.list() }),
        queryClient.invalidateQueries({ queryKey: strategyKeys.detail(strategyId) }),
        queryClient.invalidateQueries({ queryKey: strategyKeys.versions(strategyId) }),
      ]),
  });
}

export function useValidateWorkspace() {
  return useMutation({
    mutationFn: (workspace: Workspace) =>
      api.post(`${STRATEGIES_PATH}validate/`, decodeValidation, { body: { workspace } }),
  });
}
