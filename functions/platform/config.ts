/**
 * Typed, validated access to environment configuration. Each handler reads its config once at
 * module load; a missing or malformed variable throws naming the variable, so a misconfigured
 * function fails at cold start instead of on some later request.
 */
import { type BucketId, buckets, type SettingId, settings, type TableId, tables } from './declaration.ts';

export class ConfigError extends Error {
  constructor(key: string, problem: string) {
    super(`environment variable ${key} ${problem}`);
    this.name = 'ConfigError';
  }
}

export function getStringFromEnv({ key, defaultValue }: { key: string; defaultValue?: string }): string {
  const value = process.env[key];
  if (value === undefined || value === '') {
    if (defaultValue !== undefined) return defaultValue;
    throw new ConfigError(key, 'is not set');
  }
  return value;
}

export function getNumberFromEnv({
  key,
  defaultValue,
  min = Number.NEGATIVE_INFINITY,
  max = Number.POSITIVE_INFINITY,
}: {
  key: string;
  defaultValue?: number;
  min?: number;
  max?: number;
}): number {
  const raw = process.env[key];
  if (raw === undefined || raw === '') {
    if (defaultValue !== undefined) return defaultValue;
    throw new ConfigError(key, 'is not set');
  }
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new ConfigError(key, `must be a number in [${min}, ${max}], got '${raw}'`);
  }
  return value;
}

export function getBooleanFromEnv({ key, defaultValue }: { key: string; defaultValue: boolean }): boolean {
  const raw = process.env[key];
  if (raw === undefined || raw === '') return defaultValue;
  if (['1', 'true', 'yes'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no'].includes(raw.toLowerCase())) return false;
  throw new ConfigError(key, `must be true or false, got '${raw}'`);
}

/** The physical name of a declared table, from the environment variable the declaration names. */
export const tableNameFromEnv = (id: TableId): string => getStringFromEnv({ key: tables[id].env });

/** The physical name of a declared bucket, from the environment variable the declaration names. */
export const bucketNameFromEnv = (id: BucketId): string => getStringFromEnv({ key: buckets[id].env });

type SettingValue<K extends SettingId> = (typeof settings)[K]['type'] extends 'number'
  ? number
  : (typeof settings)[K]['type'] extends 'boolean'
    ? boolean
    : string;

/**
 * A declared setting from the environment, checked against its declaration (type, bounds); its
 * declared default when unset. Throws ConfigError naming the variable otherwise.
 */
export function readSetting<K extends SettingId>(id: K): SettingValue<K> {
  const declared = settings[id] as {
    env: string;
    type: string;
    min?: number;
    max?: number;
    default?: unknown;
  };
  const key = declared.env;
  if (declared.type === 'number')
    return getNumberFromEnv({
      key,
      defaultValue: declared.default as number | undefined,
      min: declared.min,
      max: declared.max,
    }) as SettingValue<K>;
  if (declared.type === 'boolean')
    return getBooleanFromEnv({ key, defaultValue: declared.default as boolean }) as SettingValue<K>;
  const raw = process.env[key];
  if (raw === undefined) {
    if (declared.default !== undefined) return declared.default as SettingValue<K>;
    throw new ConfigError(key, 'is not set');
  }
  return raw as SettingValue<K>;
}

/**
 * The invoked function's memory, MB, as Lambda's context reports it (the local runtime reports the
 * declared figure); undefined when the caller's context carries none.
 */
export function functionMemoryMb(context: { memoryLimitInMB?: string | number }): number | undefined {
  const mb = Number(context.memoryLimitInMB);
  return Number.isFinite(mb) && mb > 0 ? mb : undefined;
}
