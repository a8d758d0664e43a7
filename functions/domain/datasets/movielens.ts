/**
 * MovieLens parsers for the two published layouts:
 * - ml-100k: `u.data` (user, item, rating, epoch seconds; tab-separated) and `u.item`
 *   (latin-1, pipe-separated, 19 genre flags);
 * - ml-latest-small: `ratings.csv`, `movies.csv`, `tags.csv` (RFC 4180 quoting, CRLF).
 * They consume the files' rows as a stream and return plain ratings and catalog items; reading and
 * splitting the files is the adapter's (functions/adapters/datasets/movielens-files.ts, csv-parse),
 * so no file is ever held as one string.
 */
import type { InteractionEvent, Item } from '#domain/catalog/types.ts';

export interface Rating {
  userId: string;
  itemId: string;
  rating: number;
  /** Epoch milliseconds. */
  timestamp: number;
}

export interface MovieLensDataset {
  layout: 'ml-100k' | 'ml-latest';
  ratings: Rating[];
  items: Item[];
}

const ML100K_GENRES = [
  'unknown',
  'Action',
  'Adventure',
  'Animation',
  "Children's",
  'Comedy',
  'Crime',
  'Documentary',
  'Drama',
  'Fantasy',
  'Film-Noir',
  'Horror',
  'Musical',
  'Mystery',
  'Romance',
  'Sci-Fi',
  'Thriller',
  'War',
  'Western',
];

/**
 * Ratings as `rate` events (value = stars). Ids are derived from the rating, so turning the same
 * file into events twice gives the same ids (imports stay idempotent); `prefix` namespaces user,
 * item and event ids.
 */
export function ratingsAsEvents(ratings: readonly Rating[], prefix = ''): InteractionEvent[] {
  return ratings.map((r) => ({
    eventId: `${prefix}${r.userId}-${r.itemId}-${r.timestamp}`,
    userId: `${prefix}${r.userId}`,
    itemId: `${prefix}${r.itemId}`,
    type: 'rate',
    value: r.rating,
    timestamp: r.timestamp,
  }));
}

/** A file's rows as the adapter streams them: fields split, quotes resolved, empty lines dropped. */
export type Rows = AsyncIterable<string[]>;

/** The rows of an ml-100k directory's files (`u.item` decoded as latin-1); absent files undefined. */
export interface Ml100kRows {
  data: Rows;
  item?: Rows;
}

/** The rows of an ml-latest(-small) directory's CSV files, header rows included; absent files undefined. */
export interface MlLatestRows {
  ratings: Rows;
  movies?: Rows;
  tags?: Rows;
}

/** ml-100k: u.data rows are (user, item, rating, epoch seconds); u.item rows carry 19 genre flags. */
export async function parseMl100k(files: Ml100kRows): Promise<MovieLensDataset> {
  const ratings: Rating[] = [];
  for await (const [userId, itemId, rating, seconds] of files.data) {
    if (seconds === undefined) continue;
    ratings.push({ userId, itemId, rating: Number(rating), timestamp: Number(seconds) * 1000 });
  }
  const items: Item[] = [];
  for await (const fields of files.item ?? noRows()) {
    if (fields.length < 5) continue;
    const flags = fields.slice(5);
    const genres = ML100K_GENRES.filter((_, i) => flags[i] === '1' && i > 0);
    const releaseDate = toIsoDate(fields[2]);
    items.push({
      itemId: fields[0],
      title: fields[1],
      genres,
      tags: [],
      ...(releaseDate ? { releaseDate } : {}),
    });
  }
  return { layout: 'ml-100k', ratings, items };
}

/** ml-latest(-small): ratings, movies and tags after each file's header row; tags are gathered per movie. */
export async function parseMlLatest(files: MlLatestRows): Promise<MovieLensDataset> {
  const ratings: Rating[] = [];
  for await (const [userId, itemId, rating, seconds] of afterHeader(files.ratings)) {
    if (seconds === undefined) continue;
    ratings.push({ userId, itemId, rating: Number(rating), timestamp: Number(seconds) * 1000 });
  }
  const tagsByItem = new Map<string, Set<string>>();
  for await (const [, itemId, tag] of afterHeader(files.tags ?? noRows())) {
    if (tag === undefined) continue;
    const set = tagsByItem.get(itemId) ?? new Set<string>();
    set.add(tag.trim().toLowerCase());
    tagsByItem.set(itemId, set);
  }
  const items: Item[] = [];
  for await (const [itemId, title, genreField] of afterHeader(files.movies ?? noRows())) {
    if (genreField === undefined) continue;
    const genres = genreField === '(no genres listed)' ? [] : genreField.split('|');
    items.push({ itemId, title, genres, tags: [...(tagsByItem.get(itemId) ?? [])] });
  }
  return { layout: 'ml-latest', ratings, items };
}

async function* afterHeader(rows: Rows): Rows {
  let header = true;
  for await (const row of rows) {
    if (header) header = false;
    else yield row;
  }
}

async function* noRows(): Rows {}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `01-Jan-1995` -> `1995-01-01`; undefined when empty or malformed. */
function toIsoDate(value: string | undefined): string | undefined {
  const m = value?.match(/^(\d{2})-([A-Za-z]{3})-(\d{4})$/);
  if (!m) return undefined;
  const month = MONTHS.indexOf(m[2]) + 1;
  if (month === 0) return undefined;
  return `${m[3]}-${String(month).padStart(2, '0')}-${m[1]}`;
}
