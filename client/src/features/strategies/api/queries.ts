/** Reads of `/api/strategies/`: the block catalogue, templates, the user's strategies, versions. */
import { queryOptions, useQuery } from '@tanstack/react-query';

import {
  STRATEGIES_PATH,
  catalogueKeys,
  decodeStrategies,
  decodeStrategyDetail,
  decodeTemplates,
  decodeVersion,
  decodeVersions,
  strategyKeys,
  strategyPath,
  versionsPath,
} from '@/features/strategies/api/strategies';
import { decodeCatalogue } from '@/features/strategies/utils/catalogue';
import { api } from '@/lib/api';

/** The catalogue changes only with a deploy: fetched once per page load. */
export function catalogueQueryOptions() {
  return queryOptions({
    queryKey: catalogueKeys.catalogue,
    queryFn: ({ signal }) => api.get(`${STRATEGIES_PATH}catalogue/`, decodeCatalogue, { signal }),
    staleTime: Infinity,
  });
}

export function useCatalogue() {
  return useQuery(catalogueQueryOptions());
}

export function templatesQueryOptions() {
  return queryOptions({
    queryKey: catalogueKeys.templates,
    queryFn: ({ signal }) => api.get(`${STRATEGIES_PATH}templates/`, decodeTemplates, { signal }),
    staleTime: Infinity,
  });
}

export function useTemplates() {
  return useQuery(templatesQueryOptions());
}

export function strategiesQueryOptions() {
  return queryOptions({
    queryKey: strategyKeys.list(),
    queryFn: ({ signal }) => api.get(STRATEGIES_PATH, decodeStrategies, { signal }),
  });
}

export function useStrategies() {
  return useQuery(strategiesQueryOptions());
}

export function strategyQueryOptions(id: number) {
  return queryOptions({
    queryKey: strategyKeys.detail(id),
    queryFn: ({ signal }) => api.get(strategyPath(id), decodeStrategyDetail, { signal }),
  });
}

export function useStrategy(id: number | null) {
  return useQuery({ ...strategyQueryOptions(id ?? 0), enabled: id !== null });
}

export function versionsQueryOptions(id: number) {
  return queryOptions({
    queryKey: strategyKeys.versions(id),
    queryFn: ({ signal }) => api.get(versionsPath(id), decodeVersions, { signal }),
  });
}

export function useVersions(id: number | null) {
  return useQuery({ ...versionsQueryOptions(id ?? 0), enabled: id !== null });
}

/** A version never changes once saved: cached for good. */
export function versionQueryOptions(id: number, number: number) {
  return queryOptions({
    queryKey: strategyKeys.version(id, number),
    queryFn: ({ signal }) =>
      api.get(`${versionsPath(id)}${number}/`, (json) => decodeVersion(json), { signal }),
    staleTime: Infinity,
  });
}

export function useVersion(id: number | null, number: number | null) {
  return useQuery({
    ...versionQueryOptions(id ?? 0, number ?? 0),
    enabled: id !== null && number !== null,
  });
}
