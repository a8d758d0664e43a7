/** ml-latest-small from ../shared/data, for tests that must fail (never skip) when it is missing. */
import path from 'node:path';
import { readMovieLens } from '#adapters/datasets/movielens-files.ts';
import { sharedDataDir } from './fixtures.ts';

/** Reads ml-latest-small; throws when ../shared/data is not beside this checkout. */
export async function readMovieLensSmall(): ReturnType<typeof readMovieLens> {
  const shared = sharedDataDir();
  if (!shared) throw new Error('../shared/data is missing (set MARQUEE_SHARED_DATA)');
  return readMovieLens(path.join(shared, 'movielens', 'ml-latest-small'));
}
