/**
 * The attributes that key the recommender's read indexes on the catalog tables (declared in
 * functions/platform/declaration.ts). The catalog writers set them on every write; only the
 * recommender's adapters read through the indexes, so each read is bounded by what it needs:
 * - events `byDay` (dayShard, ts): the newest window of events, for the trending refresh and the
 *   first-start fallback, without a Scan of every event;
 * - items `byAvailability` (availability, createdAt): the playable items only, and the newest items.
 */

import type { Item } from '#domain/catalog/types.ts';

/** Shards per day: a GSI partition takes ~1,000 writes/s, so a day's events spread over four. */
export const EVENT_DAY_SHARDS = 4;

/** `YYYY-MM-DD#n` of an event: its UTC day and a shard from its user id (stable per user). */
export function eventDayShard(userId: string, timestampMs: number): string {
  let hash = 0;
  for (let i = 0; i < userId.length; i++) hash = (hash * 31 + userId.charCodeAt(i)) >>> 0;
  return `${utcDay(timestampMs)}#${hash % EVENT_DAY_SHARDS}`;
}

/** Every partition key of the UTC day holding `timestampMs`. */
export function dayShardsOf(timestampMs: number): string[] {
  return Array.from({ length: EVENT_DAY_SHARDS }, (_, n) => `${utcDay(timestampMs)}#${n}`);
}

function utcDay(timestampMs: number): string {
  return new Date(timestampMs).toISOString().slice(0, 10);
}

export type Availability = 'playable' | 'not-playable';

/** The `availability` partition of an item. */
export function availabilityOf(playable: boolean): Availability {
  return playable ? 'playable' : 'not-playable';
}

/** An items-table row as the item a client sees: without the index attribute. */
export function itemFromRow(row: Record<string, unknown>): Item {
  const { availability: _availability, ...item } = row;
  return item as unknown as Item;
}
