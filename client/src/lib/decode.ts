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

export function expectString(value: unknown, where: string): string {
  if (typeof value !== 'string') throw new ResponseFormatError(`${where}: expected a string`);
  return value;
}

/**
 * A finite number. Numeric strings are accepted too: DRF renders `DecimalField`s as strings unless
 * told otherwise, and a price is no less a price for it.
 */
export function expectNumber(value: unknown, where: string): number {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isFinite(number)) {
    throw new ResponseFormatError(`${where}: expected a number`);
  }
  return number;
}

export function expectArray(value: unknown, where: string): unknown[] {
  if (!Array.isArray(value)) throw new ResponseFormatError(`${where}: expected a list`);
  return value;
}

export function expectStringArray(value: unknown, where: string): string[] {
  return expectArray(value, where).map((item, index) => expectString(item, `${where}[${index}]`));
}

/** An object of numbers; `null` values (an indicator without enough data) are dropped. */
export function numberRecord(value: unknown, where: string): Record<string, number> {
  if (value === undefined || value === null) return {};
  const record: Record<string, number> = {};
  for (const [key, item] of Object.entries(expectObject(value, where))) {
    if (item !== null) record[key] = expectNumber(item, `${where}.${key}`);
  }
  return record;
}

/** Like `expectNumber`, for a nullable field. */
export function nullableNumber(value: unknown, where: string): number | null {
  return value === undefined || value === null ? null : expectNumber(value, where);
}

/** An ISO-8601 timestamp, returned as epoch milliseconds. */
export function expectTime(value: unknown, where: string): number {
  const ms = Date.parse(expectString(value, where));
  if (Number.isNaN(ms)) throw new ResponseFormatError(`${where}: expected an ISO-8601 time`);
  return ms;
}

export function nullableTime(value: unknown, where: string): number | null {
  return value === undefined || value === null ? null : expectTime(value, where);
}
