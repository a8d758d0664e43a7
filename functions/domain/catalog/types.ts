/** Plain data shapes shared by every service. No AWS types here. */

export const EVENT_TYPES = [
  'view',
  'play',
  'complete',
  'like',
  'dislike',
  'rate',
  'purchase',
  'skip',
  // Shown in a list (not a sign of interest: models and profiles give it no weight) and pressed.
  'impression',
  'click',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export interface Item {
  itemId: string;
  title: string;
  description?: string;
  genres: string[];
  tags: string[];
  /** ISO date (YYYY-MM-DD). */
  releaseDate?: string;
  /** Running time in seconds. */
  durationSec?: number;
  /** Free attributes given by the customer. */
  attributes?: Record<string, unknown>;
  /** True once a video linked to this item finished processing (or the item was declared playable). */
  playable?: boolean;
  createdAt?: string;
  updatedAt?: string;
}

/** What describes an item; an update replaces all of them (those absent are removed). */
export const ITEM_CONTENT_FIELDS = [
  'title',
  'description',
  'genres',
  'tags',
  'releaseDate',
  'durationSec',
  'attributes',
] as const satisfies readonly (keyof Item)[];

/** Does not compile when Item gains a field that is neither content nor managed by the platform. */
type Unlisted<T extends never> = T;
export type UnlistedItemField = Unlisted<
  Exclude<
    keyof Item,
    (typeof ITEM_CONTENT_FIELDS)[number] | 'itemId' | 'playable' | 'createdAt' | 'updatedAt'
  >
>;

export interface UserAttributes {
  userId: string;
  age?: number;
  gender?: string;
  country?: string;
  plan?: string;
  attributes?: Record<string, unknown>;
  createdAt?: string;
  updatedAt?: string;
}

export interface InteractionEvent {
  eventId: string;
  userId: string;
  itemId: string;
  type: EventType;
  /** Rating (rate), watch seconds (play/complete), amount in minor units (purchase); optional elsewhere. */
  value?: number;
  /** Epoch milliseconds. */
  timestamp: number;
  /** The list answer that showed the item (impression, click, play), as the API signed it. */
  recommendationId?: string;
  /** The item's 1-based position in that list. */
  position?: number;
}

/**
 * Event types the platform records about a user rather than the user's own doing: being shown an
 * item. They are not history (they neither fill the recent-events budget nor mark an item seen)
 * and not interest (training and profiles skip them); experiments count them.
 */
export const NON_SIGNAL_EVENT_TYPES: readonly EventType[] = ['impression'];

/** Whether an event is the user's own signal (see NON_SIGNAL_EVENT_TYPES). */
export const isUserSignal = (event: Pick<InteractionEvent, 'type'>): boolean =>
  !NON_SIGNAL_EVENT_TYPES.includes(event.type);

/** Event types that can carry a `recommendationId`: what a list leads to. */
export const ATTRIBUTABLE_EVENT_TYPES: readonly EventType[] = ['impression', 'click', 'play'];
