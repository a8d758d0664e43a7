/** ml-latest-small from ../shared/data, for tests that must fail (never skip) when it is missing. */
import path from 'node:path';
import { readMovieLens } from '#adapters/datasets/movielens-files.ts';
import { requiredSharedDataDir } from './fixtures.ts';

/** Reads ml-latest-small; throws when ../shared/data is not beside this checkout. */
export async function readMovieLensSmall(): ReturnType<typeof readMovieLens> {
  const shared = requiredSharedDataDir('MovieLens ml-latest-small');
  return readMovieLens(path.join(shared, 'movielens', 'ml-latest-small'));
}
