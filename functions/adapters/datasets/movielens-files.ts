/** Reads a MovieLens directory from disk, in either published layout, into the domain's parsers. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { type MovieLensDataset, parseMl100k, parseMlLatest } from '#domain/datasets/movielens.ts';

/** Reads whichever MovieLens layout `dir` holds; throws when it holds neither. */
export function readMovieLens(dir: string): MovieLensDataset {
  const optional = (name: string, encoding: BufferEncoding = 'utf8') => {
    const file = path.join(dir, name);
    return existsSync(file) ? readFileSync(file, encoding) : undefined;
  };
  if (existsSync(path.join(dir, 'u.data'))) {
    return parseMl100k({
      data: readFileSync(path.join(dir, 'u.data'), 'utf8'),
      item: optional('u.item', 'latin1'),
    });
  }
  if (existsSync(path.join(dir, 'ratings.csv'))) {
    return parseMlLatest({
      ratings: readFileSync(path.join(dir, 'ratings.csv'), 'utf8'),
      movies: optional('movies.csv'),
      tags: optional('tags.csv'),
    });
  }
  throw new Error(`${dir} holds neither u.data (ml-100k) nor ratings.csv (ml-latest)`);
}
