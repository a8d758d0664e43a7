/** Loads an event fixture from events/<service>/<variant>.json, cloned so tests can change it. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '#local/platform.ts';

export function loadFixture<T = any>(service: string, variant: string): T {
  return structuredClone(
    JSON.parse(readFileSync(path.join(repoRoot, 'events', service, `${variant}.json`), 'utf8')),
  );
}

/** The shared reference data (../shared/data), or undefined when this checkout has none beside it. */
export function sharedDataDir(): string | undefined {
  const dir = process.env.MARQUEE_SHARED_DATA ?? path.resolve(repoRoot, '..', 'shared', 'data');
  try {
    readFileSync(path.join(dir, 'README.md'));
    return dir;
  } catch {
    return undefined;
  }
}
