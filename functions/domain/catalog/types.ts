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
}
