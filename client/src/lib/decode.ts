/**
 * Small helpers for response decoders: each checks one field and throws `ResponseFormatError`
 * naming the field, so a payload of the wrong shape fails loudly at the boundary instead of as an
 * `undefined` deep in a component.
 */
import { ResponseFormatError } from '@/lib/api';

export type JsonObject = Record<string, unknown>;

export function expectObject(value: unknown, where: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ResponseFormatError(`${where}: expected an object`);
  }
  return value as JsonObject;
}

export function expectBoolean(value: unknown, where: string): boolean {
  if (typeof value !== 'boolean') throw new ResponseFormatError(`${where}: expected a boolean`);
  return value;
}

export function expectOneOf<const T extends string>(
  value: unknown,
  allowed: readonly T[],
  where: string,
): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new ResponseFormatError(`${where}: expected one of ${allowed.join(', ')}`);
  }
  return value as T;
}

export function optionalNumber(value: unknown, where: string): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ResponseFormatError(`${where}: expected a number`);
  }
  return value;
}

export function optionalString(value: unknown, where: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new ResponseFormatError(`${where}: expected a string`);
  return value;
}

export function optionalStringArray(value: unknown, where: string): string[] | null {
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw new ResponseFormatError(`${where}: expected a list of strings`);
  }
  return value;
}
