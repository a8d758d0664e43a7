/** Checks shared by the settings readers: refused settings and numeric members. */
import { BadRequestException } from '../api-errors.ts';

// biome-ignore lint/suspicious/noExplicitAny: job settings are open JSON read defensively
export type Json = any;

export function refusePresent(object: Json, names: string[], at: string, why: string): void {
  for (const name of names) {
    if (object?.[name] !== undefined && !(Array.isArray(object[name]) && object[name].length === 0)) {
      throw new BadRequestException(`${at}.${name}: ${why}`);
    }
  }
}

export function positiveInt(value: unknown, setting: string, fallback?: number): number {
  if (value === undefined || value === null) {
    if (fallback !== undefined) return fallback;
    throw new BadRequestException(`${setting} is required`);
  }
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new BadRequestException(`${setting} must be a positive number, got ${JSON.stringify(value)}`);
  }
  return value;
}
