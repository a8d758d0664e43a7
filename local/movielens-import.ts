/**
 * Imports a MovieLens dataset (ml-100k or ml-latest layout) through Marquee's public API:
 * items in batches of 100, ratings as `rate` events in batches of 100. Using the API means the
 * same validation runs, and the same import works against a deployed stack (give its URL and token).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createMarqueeClient, MarqueeApiError, unwrap } from '#client/index.ts';
import pRetry, { AbortError } from 'p-retry';
import { chunks } from '#adapters/dynamodb/client.ts';
import { readMovieLens } from '#adapters/datasets/movielens-files.ts';
import { ratingsAsEvents } from '#domain/datasets/movielens.ts';
import { inParallel } from './worker-pool.ts';

export interface ImportOptions {
  dir: string;
  url: string;
  token?: string;
  /** Prefix for user and item ids so imported data never collides with other data (default `ml-`). */
  prefix?: string;
  concurrency?: number;
  onProgress?: (line: string) => void;
}

export interface ImportResult {
  layout: string;
  items: number;
  users: number;
  events: number;
}

/** Items and events per request: the API's batch limit. */
const BATCH_SIZE = 100;
const MAX_LABELS = 50;
const MAX_LABEL_CHARS = 64;

/** Answers worth asking again: throttled (the API's stage limit) or a dependency briefly down. */
const RETRIED_STATUSES = new Set([429, 503]);

/**
 * Runs one API call; a 429 or 503 is retried with exponential backoff and jitter (p-retry: up to
 * `retries` more tries, 0.25 s doubling to 8 s), any other failure ends the import.
 */
export async function retried<T>(call: () => Promise<T>, retries = 8): Promise<T> {
  return pRetry(
    async () => {
      try {
        return await call();
      } catch (error) {
        if (error instanceof MarqueeApiError && RETRIED_STATUSES.has(error.status)) throw error;
        throw new AbortError(error as Error);
      }
    },
    { retries, minTimeout: 250, maxTimeout: 8_000, randomize: true },
  );
}

/** ml-100k's u.user: id|age|gender|occupation|zip. */
function readMl100kUsers(dir: string): { userId: string; age: number; gender: string; occupation: string }[] {
  const file = path.join(dir, 'u.user');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'latin1')
    .split(/\r?\n/)
    .filter(Boolean)
    .map((line) => {
      const [userId, age, gender, occupation] = line.split('|');
      return { userId, age: Number(age), gender, occupation };
    });
}

export async function importMovieLens(options: ImportOptions): Promise<ImportResult> {
  const { dir, url, token, prefix = 'ml-', concurrency = 4, onProgress = () => {} } = options;
  const api = createMarqueeClient({ baseUrl: url, token });
  const dataset = await readMovieLens(dir);
  const label = (s: string) => s.slice(0, MAX_LABEL_CHARS);
  const items = dataset.items.map((item) => {
    const year = /\((\d{4})\)\s*$/.exec(item.title)?.[1];
    return {
      itemId: `${prefix}${item.itemId}`,
      title: item.title,
      genres: [...new Set(item.genres.map(label))].slice(0, MAX_LABELS),
      tags: [...new Set(item.tags.map(label))].filter(Boolean).slice(0, MAX_LABELS),
      ...(year ? { releaseDate: `${year}-01-01` } : {}),
      playable: true,
      attributes: { source: `movielens ${dataset.layout}`, movieId: item.itemId },
    };
  });
  await inParallel(chunks(items, BATCH_SIZE), concurrency, (batch) =>
    retried(() => unwrap(api.POST('/items/batch', { body: { items: batch } }))),
  );
  onProgress(`items: ${items.length}`);

  const users = readMl100kUsers(dir);
  await inParallel(users, concurrency, (user) =>
    retried(() =>
      unwrap(
        api.PUT('/users/{userId}', {
          params: { path: { userId: prefix + user.userId } },
          body: { age: user.age, gender: user.gender, attributes: { occupation: user.occupation } },
        }),
      ),
    ),
  );

  // Deterministic ids: importing twice stores each rating once.
  const events = ratingsAsEvents(dataset.ratings, prefix);
  let sent = 0;
  await inParallel(chunks(events, BATCH_SIZE), concurrency, async (batch) => {
    await retried(() => unwrap(api.POST('/events', { body: { events: batch } })));
    sent += batch.length;
    if (sent % 10_000 < batch.length) onProgress(`events: ${sent}/${events.length}`);
  });
  const distinctUsers = new Set(events.map((e) => e.userId)).size;
  return {
    layout: dataset.layout,
    items: items.length,
    users: Math.max(users.length, distinctUsers),
    events: events.length,
  };
}
