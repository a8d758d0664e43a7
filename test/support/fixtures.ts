/** Loads an event fixture from events/<service>/<variant>.json, cloned so tests can change it. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '#local/platform.ts';

export function loadFixture<T = any>(service: string, variant: string): T {
  return structuredClone(
    JSON.parse(readFileSync(path.join(repoRoot, 'events', service, `${variant}.json`), 'utf8')),
  );
}

/** Where the shared reference data is expected: MARQUEE_SHARED_DATA, else ../shared/data beside the checkout. */
export const sharedDataPath = (): string =>
  process.env.MARQUEE_SHARED_DATA ?? path.resolve(repoRoot, '..', 'shared', 'data');

/** The shared reference data (../shared/data), or undefined when this checkout has none beside it. */
export function sharedDataDir(): string | undefined {
  const dir = sharedDataPath();
  try {
    readFileSync(path.join(dir, 'README.md'));
    return dir;
  } catch {
    return undefined;
  }
}

/**
 * The shared reference data, or an error naming `need`: a test that needs it fails when it is
 * missing (CI must not pass without it); it never skips.
 */
export function requiredSharedDataDir(need: string): string {
  const dir = sharedDataDir();
  if (!dir) throw new Error(`${sharedDataPath()} is missing (set MARQUEE_SHARED_DATA): ${need}`);
  return dir;
}
