/** Storage ports of the catalog. Adapters (functions/adapters/dynamodb) implement them. */
import type { InteractionEvent, Item, UserAttributes } from './types.ts';

export interface Page<T> {
  items: T[];
  /** Opaque; absent on the last page. */
  cursor?: string;
}

export interface ItemStore {
  /** Creates or replaces one item, keeping `createdAt` and a `playable` flag set earlier. */
  put(item: Item): Promise<Item>;
  /** All or nothing: either every item is stored or none is. */
  putAll(items: Item[]): Promise<void>;
  get(itemId: string): Promise<Item | undefined>;
  getMany(itemIds: string[]): Promise<Map<string, Item>>;
  /** Every item, in pages (training, export). */
  scan(): AsyncIterable<Item[]>;
}

export interface UserStore {
  /** Creates or replaces a user; UserErasedError when the user was erased. */
  put(user: UserAttributes): Promise<UserAttributes>;
  /** The user, or undefined when unknown or erased. */
  get(userId: string): Promise<UserAttributes | undefined>;
  /**
   * Forgets a user's attributes and keeps only a record that the id was erased (and when), which
   * every writer of user data checks so nothing about the user is stored again.
   */
  erase(userId: string, at: string): Promise<void>;
  /** The ids among `userIds` that were erased. */
  erasedAmong(userIds: string[]): Promise<Set<string>>;
  /** Every user that is not erased, in pages. */
  scan(): AsyncIterable<UserAttributes[]>;
}

export interface EventStore {
  /**
   * Stores a validated batch of at most 100 events, all or nothing; an event with an existing
   * (userId, eventId) overwrites, never duplicates. Throws UserErasedError, storing none, when a
   * user of the batch was erased (checked atomically with the write).
   */
  putAll(events: InteractionEvent[]): Promise<void>;
  /**
   * Stores any number of events (seeding, imports), retrying throttled writes patiently; not
   * atomic, but idempotent by (userId, eventId), so a failed load can be run again.
   */
  load(events: InteractionEvent[], onWritten?: (count: number) => void): Promise<void>;
  /** A user's events, newest first. */
  listByUser(userId: string, options: { limit: number; cursor?: string }): Promise<Page<InteractionEvent>>;
  /**
   * A user's newest `max` own events (isUserSignal: impressions left out, so lists shown do not use
   * up the budget; all of them when there are fewer), newest first. One bounded read.
   */
  latestByUser(userId: string, max: number): Promise<InteractionEvent[]>;
  /** Deletes every event of a user; returns how many were deleted. */
  deleteByUser(userId: string): Promise<number>;
  /**
   * Every event, in pages (training); with `part`, only segment `part.segment` of `part.of`
   * disjoint segments, so readers of every segment side by side read each event once.
   */
  scan(part?: { segment: number; of: number }): AsyncIterable<InteractionEvent[]>;
}

/** Anything else that holds per-user data and must forget a user on erasure. */
export interface UserDataEraser {
  eraseUser(userId: string): Promise<void>;
}
