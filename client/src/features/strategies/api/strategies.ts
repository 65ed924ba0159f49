/**
 * Strategies as `/api/strategies/` sends them (backend/strategies/api/views.py). A workspace is
 * Blockly's serialization, passed through untouched: the server compiles it, the editor loads it.
 */
import { ResponseFormatError } from '@/lib/api';
import {
  expectArray,
  expectNumber,
  expectObject,
  expectString,
  expectTime,
  type JsonObject,
  nullableNumber,
} from '@/lib/decode';
import { USER_QUERY_SCOPE } from '@/lib/session';

export const STRATEGIES_PATH = '/api/strategies/';
export const strategyPath = (id: number) => `${STRATEGIES_PATH}${id}/`;
export const versionsPath = (id: number) => `${strategyPath(id)}versions/`;

/** Blockly's workspace serialization (`Blockly.serialization.workspaces.save`). */
export type Workspace = JsonObject;

export interface StrategySummary {
  id: number;
  name: string;
  /** Null until the first save. */
  latestVersion: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface VersionSummary {
  number: number;
  createdAt: number;
}

export interface Version extends VersionSummary {
  workspace: Workspace;
}

export interface StrategyDetail extends StrategySummary {
  latest: Version | null;
}

export interface Template {
  key: string;
  name: string;
  description: string;
  workspace: Workspace;
}

export function decodeStrategySummary(json: unknown, where = 'strategy'): StrategySummary {
  const s = expectObject(json, where);
  return {
    id: expectNumber(s.id, `${where}.id`),
    name: expectString(s.name, `${where}.name`),
    latestVersion: nullableNumber(s.latest_version, `${where}.latest_version`),
    createdAt: expectTime(s.created_at, `${where}.created_at`),
    updatedAt: expectTime(s.updated_at, `${where}.updated_at`),
  };
}

export function decodeStrategies(json: unknown): StrategySummary[] {
  return expectArray(json, 'strategies').map((s, i) =>
    decodeStrategySummary(s, `strategies[${i}]`),
  );
}

export function decodeVersionSummary(json: unknown, where = 'version'): VersionSummary {
  const v = expectObject(json, where);
  return {
    number: expectNumber(v.number, `${where}.number`),
    createdAt: expectTime(v.created_at, `${where}.created_at`),
  };
}

export function decodeVersions(json: unknown): VersionSummary[] {
  return expectArray(json, 'versions').map((v, i) => decodeVersionSummary(v, `versions[${i}]`));
}

export function decodeVersion(json: unknown, where = 'version'): Version {
  const v = expectObject(json, where);
  return {
    ...decodeVersionSummary(v, where),
    workspace: expectObject(v.workspace, `${where}.workspace`),
  };
}

export function decodeStrategyDetail(json: unknown): StrategyDetail {
  const s = expectObject(json, 'strategy');
  return {
    ...decodeStrategySummary(s),
    latest: s.latest === null || s.latest === undefined ? null : decodeVersion(s.latest, 'latest'),
  };
}

export function decodeTemplates(json: unknown): Template[] {
  return expectArray(json, 'templates').map((item, i) => {
    const t = expectObject(item, `templates[${i}]`);
    return {
      key: expectString(t.key, `templates[${i}].key`),
      name: expectString(t.name, `templates[${i}].name`),
      description: expectString(t.description, `templates[${i}].description`),
      workspace: expectObject(t.workspace, `templates[${i}].workspace`),
    };
  });
}

/** `POST validate/` answers `{ok: true, ir}` when the workspace compiles (a 400 otherwise). */
export function decodeValidation(json: unknown): { ok: true } {
  if (expectObject(json, 'validation').ok !== true) {
    throw new ResponseFormatError('validation: expected ok: true');
  }
  return { ok: true };
}

export const strategyKeys = {
  all: [USER_QUERY_SCOPE, 'strategies'] as const,
  list: () => [...strategyKeys.all, 'list'] as const,
  detail: (id: number) => [...strategyKeys.all, 'detail', id] as const,
  versions: (id: number) => [...strategyKeys.all, 'versions', id] as const,
  version: (id: number, number: number) => [...strategyKeys.all, 'version', id, number] as const,
};

/** The catalogue and templates are the same for everyone: not under the user's scope. */
export const catalogueKeys = {
  catalogue: ['strategies', 'catalogue'] as const,
  templates: ['strategies', 'templates'] as const,
};
