/**
 * MovieLens readers for the two published layouts:
 * - ml-100k: `u.data` (user, item, rating, epoch seconds; tab-separated) and `u.item`
 *   (latin-1, pipe-separated, 19 genre flags);
 * - ml-latest-small: `ratings.csv`, `movies.csv`, `tags.csv` (RFC 4180 quoting, CRLF).
 * The readers take a directory and return plain ratings and catalog items.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
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

/** Reads whichever MovieLens layout `dir` holds; throws when it holds neither. */
export function readMovieLens(dir: string): MovieLensDataset {
  if (existsSync(path.join(dir, 'u.data'))) return readMl100k(dir);
  if (existsSync(path.join(dir, 'ratings.csv'))) return readMlLatest(dir);
  throw new Error(`${dir} holds neither u.data (ml-100k) nor ratings.csv (ml-latest)`);
}

/** ml-100k: u.data is tab-separated; u.item is latin-1 and pipe-separated. */
export function readMl100k(dir: string): MovieLensDataset {
  const ratings: Rating[] = [];
  for (const line of splitLines(readFileSync(path.join(dir, 'u.data'), 'utf8'))) {
    const [userId, itemId, rating, seconds] = line.split('\t');
    if (seconds === undefined) continue;
    ratings.push({ userId, itemId, rating: Number(rating), timestamp: Number(seconds) * 1000 });
  }
  const items: Item[] = [];
  const itemFile = path.join(dir, 'u.item');
  if (existsSync(itemFile)) {
    for (const line of splitLines(readFileSync(itemFile, 'latin1'))) {
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
  }
  return { layout: 'ml-100k', ratings, items };
}

/** ml-latest(-small): CSV with quoted fields and CRLF line ends; tags are gathered per movie. */
export function readMlLatest(dir: string): MovieLensDataset {
  const ratings: Rating[] = [];
  const ratingRows = parseCsv(readFileSync(path.join(dir, 'ratings.csv'), 'utf8'));
  for (const [userId, itemId, rating, seconds] of ratingRows.slice(1)) {
    if (seconds === undefined) continue;
    ratings.push({ userId, itemId, rating: Number(rating), timestamp: Number(seconds) * 1000 });
  }
  const tagsByItem = new Map<string, Set<string>>();
  const tagFile = path.join(dir, 'tags.csv');
  if (existsSync(tagFile)) {
    for (const [, itemId, tag] of parseCsv(readFileSync(tagFile, 'utf8')).slice(1)) {
      if (tag === undefined) continue;
      const set = tagsByItem.get(itemId) ?? new Set<string>();
      set.add(tag.trim().toLowerCase());
      tagsByItem.set(itemId, set);
    }
  }
  const items: Item[] = [];
  const movieFile = path.join(dir, 'movies.csv');
  if (existsSync(movieFile)) {
    for (const [itemId, title, genreField] of parseCsv(readFileSync(movieFile, 'utf8')).slice(1)) {
      if (genreField === undefined) continue;
      const genres = genreField === '(no genres listed)' ? [] : genreField.split('|');
      items.push({ itemId, title, genres, tags: [...(tagsByItem.get(itemId) ?? [])] });
    }
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
