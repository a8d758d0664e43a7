/** Catalog, users and events: the rules, independent of storage and transport. */
import { randomUUID } from 'node:crypto';
import { NotFoundError, ValidationError, type FieldProblem } from '../errors.ts';
import { type RecommendationIdKey, recommendationIdProblems } from '../experiments/recommendation-id.ts';
import type { EventStore, ItemStore, Page, UserDataEraser, UserStore } from './ports.ts';
import {
  ATTRIBUTABLE_EVENT_TYPES,
  type EventType,
  type InteractionEvent,
  type Item,
  type UserAttributes,
} from './types.ts';

/** Events further in the future than this are rejected as clock errors (ms). */
export const MAX_FUTURE_SKEW_MS = 5 * 60_000;

export interface EventInput {
  eventId?: string;
  userId: string;
  itemId: string;
  type: EventType;
  value?: number;
  /** Epoch ms or ISO 8601; absent means now. */
  timestamp?: number | string;
  /** The list that showed the item (impression, click, play). */
  recommendationId?: string;
  /** The item's 1-based position in that list. */
  position?: number;
}

export type ItemInput = Omit<Item, 'itemId' | 'createdAt' | 'updatedAt'>;
export type UserInput = Omit<UserAttributes, 'userId' | 'createdAt' | 'updatedAt'>;

/**
 * Normalises a batch: assigns ids and timestamps, checks clocks. Throws one ValidationError
 * naming every bad event, so a rejected batch writes nothing.
 */
export function normalizeEvents(
  inputs: EventInput[],
  now: number,
  newId: () => string = randomUUID,
): InteractionEvent[] {
  const problems: FieldProblem[] = [];
  const seen = new Map<string, number>();
  const events = inputs.map((input, index) => {
    const timestamp =
      input.timestamp === undefined
        ? now
        : typeof input.timestamp === 'number'
          ? input.timestamp
          : Date.parse(input.timestamp);
    if (timestamp > now + MAX_FUTURE_SKEW_MS) {
      problems.push({
        field: `events[${index}].timestamp`,
        message: `is ${Math.round((timestamp - now) / 1000)} s in the future; at most ${MAX_FUTURE_SKEW_MS / 1000} s is accepted`,
      });
    }
    if (input.type === 'rate' && (input.value === undefined || input.value < 0 || input.value > 10)) {
      problems.push({
        field: `events[${index}].value`,
        message: 'a rate event needs a value between 0 and 10',
      });
    }
    if (
      (input.recommendationId !== undefined || input.position !== undefined) &&
      !ATTRIBUTABLE_EVENT_TYPES.includes(input.type)
    )
      problems.push({
        field: `events[${index}].${input.recommendationId !== undefined ? 'recommendationId' : 'position'}`,
        message: `only ${ATTRIBUTABLE_EVENT_TYPES.join(', ')} events come from a list`,
      });
    else if (input.position !== undefined && input.recommendationId === undefined)
      problems.push({
        field: `events[${index}].position`,
        message: 'needs the recommendationId of its list',
      });
    if (input.eventId !== undefined) {
      // One batch cannot store the same event twice (it is one transaction).
      const key = `${input.userId}\u0000${input.eventId}`;
      const first = seen.get(key);
      if (first !== undefined)
        problems.push({ field: `events[${index}].eventId`, message: `repeats events[${first}].eventId` });
      else seen.set(key, index);
    }
    const event: InteractionEvent = {
      eventId: input.eventId ?? newId(),
      userId: input.userId,
      itemId: input.itemId,
      type: input.type,
      timestamp,
    };
    if (input.value !== undefined) event.value = input.value;
    if (input.recommendationId !== undefined) event.recommendationId = input.recommendationId;
    if (input.position !== undefined) event.position = input.position;
    return event;
  });
  if (problems.length > 0)
    throw new ValidationError(`${problems.length} event(s) are invalid; nothing was stored`, problems);
  return events;
}

export class CatalogService {
  constructor(
    private readonly items: ItemStore,
    private readonly users: UserStore,
    private readonly events: EventStore,
    /** Checks the recommendation ids events carry. */
    private readonly recommendationIds: RecommendationIdKey,
    private readonly erasers: UserDataEraser[] = [],
    private readonly clock: () => number = Date.now,
  ) {}

  async putItem(itemId: string, input: ItemInput): Promise<Item> {
    const now = new Date(this.clock()).toISOString();
    return this.items.put({ ...input, itemId, createdAt: now, updatedAt: now });
  }

  async putItems(inputs: (ItemInput & { itemId: string })[]): Promise<number> {
    const ids = new Set<string>();
    const problems: FieldProblem[] = [];
    inputs.forEach((item, index) => {
      if (ids.has(item.itemId))
        problems.push({ field: `items[${index}].itemId`, message: 'appears twice in the batch' });
      ids.add(item.itemId);
    });
    if (problems.length > 0)
      throw new ValidationError('the batch has duplicate item ids; nothing was stored', problems);
    const now = new Date(this.clock()).toISOString();
    await this.items.putAll(inputs.map((item) => ({ ...item, createdAt: now, updatedAt: now })));
    return inputs.length;
  }

  async getItem(itemId: string): Promise<Item> {
    const item = await this.items.get(itemId);
    if (!item) throw new NotFoundError('item', itemId);
    return item;
  }

  async putUser(userId: string, input: UserInput): Promise<UserAttributes> {
    const now = new Date(this.clock()).toISOString();
    return this.users.put({ ...input, userId, createdAt: now, updatedAt: now });
  }

  async getUser(userId: string): Promise<UserAttributes> {
    const user = await this.users.get(userId);
    if (!user) throw new NotFoundError('user', userId);
    return user;
  }

  /**
   * Records a batch of events; all are validated before any is written, including that each
   * recommendationId is one this API signed for the event's user.
   */
  async recordEvents(inputs: EventInput[]): Promise<InteractionEvent[]> {
    const events = normalizeEvents(inputs, this.clock());
    if (events.some((event) => event.recommendationId !== undefined)) {
      const problems = recommendationIdProblems(events, await this.recommendationIds.current());
      if (problems.length > 0)
        throw new ValidationError(
          `${problems.length} event(s) name a list they cannot; nothing was stored`,
          problems,
        );
    }
    await this.events.putAll(events);
    return events;
  }

  listUserEvents(
    userId: string,
    options: { limit: number; cursor?: string },
  ): Promise<Page<InteractionEvent>> {
    return this.events.listByUser(userId, options);
  }

  /**
   * Erases everything Marquee holds about a user: attributes, events, profile and anything else
   * keyed by the user. The erasure record is written first, so a writer racing the erasure is
   * refused (or its write removed) instead of bringing data back.
   */
  async eraseUser(userId: string): Promise<{ events: number }> {
    await this.users.erase(userId, new Date(this.clock()).toISOString());
    const events = await this.events.deleteByUser(userId);
    await Promise.all(this.erasers.map((e) => e.eraseUser(userId)));
    return { events };
  }
}
