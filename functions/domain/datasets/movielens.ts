/**
 * MovieLens parsers for the two published layouts:
 * - ml-100k: `u.data` (user, item, rating, epoch seconds; tab-separated) and `u.item`
 *   (latin-1, pipe-separated, 19 genre flags);
 * - ml-latest-small: `ratings.csv`, `movies.csv`, `tags.csv` (RFC 4180 quoting, CRLF).
 * They take the files' text and return plain ratings and catalog items; reading a directory is the
 * adapter's (functions/adapters/datasets/movielens-files.ts).
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

/** The text of an ml-100k directory's files (`u.item` decoded as latin-1); absent files undefined. */
export interface Ml100kFiles {
  data: string;
  item?: string;
}

/** The text of an ml-latest(-small) directory's CSV files; absent files undefined. */
export interface MlLatestFiles {
  ratings: string;
  movies?: string;
  tags?: string;
}

/** ml-100k: u.data is tab-separated; u.item is pipe-separated. */
export function parseMl100k(files: Ml100kFiles): MovieLensDataset {
  const ratings: Rating[] = [];
  for (const line of splitLines(files.data)) {
    const [userId, itemId, rating, seconds] = line.split('\t');
    if (seconds === undefined) continue;
    ratings.push({ userId, itemId, rating: Number(rating), timestamp: Number(seconds) * 1000 });
  }
  const items: Item[] = [];
  for (const line of files.item === undefined ? [] : splitLines(files.item)) {
    const fields = line.split('|');
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

/** ml-latest(-small): CSV with quoted fields and CRLF line ends; tags are gathered per movie. */
export function parseMlLatest(files: MlLatestFiles): MovieLensDataset {
  const ratings: Rating[] = [];
  for (const [userId, itemId, rating, seconds] of parseCsv(files.ratings).slice(1)) {
    if (seconds === undefined) continue;
    ratings.push({ userId, itemId, rating: Number(rating), timestamp: Number(seconds) * 1000 });
  }
  const tagsByItem = new Map<string, Set<string>>();
  for (const [, itemId, tag] of files.tags === undefined ? [] : parseCsv(files.tags).slice(1)) {
    if (tag === undefined) continue;
    const set = tagsByItem.get(itemId) ?? new Set<string>();
    set.add(tag.trim().toLowerCase());
    tagsByItem.set(itemId, set);
  }
  const items: Item[] = [];
  for (const [itemId, title, genreField] of files.movies === undefined
    ? []
    : parseCsv(files.movies).slice(1)) {
    if (genreField === undefined) continue;
    const genres = genreField === '(no genres listed)' ? [] : genreField.split('|');
    items.push({ itemId, title, genres, tags: [...(tagsByItem.get(itemId) ?? [])] });
  }
  return { layout: 'ml-latest', ratings, items };
}

function splitLines(text: string): string[] {
  return text.split(/\r?\n/).filter((l) => l.length > 0);
}

/** RFC 4180: fields may be quoted, quotes doubled inside; CRLF or LF rows. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field.length > 0 || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `01-Jan-1995` -> `1995-01-01`; undefined when empty or malformed. */
function toIsoDate(value: string | undefined): string | undefined {
  const m = value?.match(/^(\d{2})-([A-Za-z]{3})-(\d{4})$/);
  if (!m) return undefined;
  const month = MONTHS.indexOf(m[2]) + 1;
  if (month === 0) return undefined;
  return `${m[3]}-${String(month).padStart(2, '0')}-${m[1]}`;
}
