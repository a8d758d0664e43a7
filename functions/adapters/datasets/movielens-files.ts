/**
 * Reads a MovieLens directory from disk, in either published layout, streaming each file through
 * csv-parse into the domain's parsers: no file is held as one string (V8 caps a string at 512 MB,
 * which ml-25m's ratings.csv alone would come close to).
 */
import { createReadStream, existsSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse';
import { type MovieLensDataset, parseMl100k, parseMlLatest, type Rows } from '#domain/datasets/movielens.ts';

/** A delimited file's rows: RFC 4180 quoting for CSV; `quote: false` for the unquoted ml-100k files. */
export function delimitedRows(
  file: string,
  options: { delimiter?: string; quote?: boolean; encoding?: BufferEncoding } = {},
): Rows {
  const { delimiter = ',', quote = true, encoding = 'utf8' } = options;
  return createReadStream(file, { encoding }).pipe(
    parse({
      delimiter,
      quote: quote ? '"' : false,
      // Either line end, even mixed in one file (ml-latest uses CRLF, ml-100k LF).
      record_delimiter: ['\r\n', '\n'],
      relax_column_count: true,
      skip_empty_lines: true,
    }),
  );
}

/** Reads whichever MovieLens layout `dir` holds; throws when it holds neither. */
export async function readMovieLens(dir: string): Promise<MovieLensDataset> {
  const file = (name: string) => path.join(dir, name);
  const optional = (name: string, rows: (file: string) => Rows) =>
    existsSync(file(name)) ? rows(file(name)) : undefined;
  if (existsSync(file('u.data'))) {
    return parseMl100k({
      data: delimitedRows(file('u.data'), { delimiter: '\t', quote: false }),
      item: optional('u.item', (f) => delimitedRows(f, { delimiter: '|', quote: false, encoding: 'latin1' })),
    });
  }
  if (existsSync(file('ratings.csv'))) {
    return parseMlLatest({
      ratings: delimitedRows(file('ratings.csv')),
      movies: optional('movies.csv', (f) => delimitedRows(f)),
      tags: optional('tags.csv', (f) => delimitedRows(f)),
    });
  }
  throw new Error(`${dir} holds neither u.data (ml-100k) nor ratings.csv (ml-latest)`);
}
