/** Contracts of the catalog routes: items, users, events, erasure and health. */
import * as z from 'zod';
import { EVENT_TYPES } from '#domain/catalog/types.ts';
import { Attributes, Cursor, Id, limitParam } from './common.ts';
import type { ContractMap } from './types.ts';

export const MAX_BATCH = 100;

const Text = (max: number) =>
  z.string({ error: 'must be a string' }).max(max, { error: `must be at most ${max} characters` });
const Labels = z
  .array(Text(64).min(1, { error: 'must not be empty' }), { error: 'must be an array of strings' })
  .max(50, { error: 'must have at most 50 entries' })
  .default([]);

export const ItemInput = z.strictObject({
  title: Text(500).min(1, { error: 'must not be empty' }),
  description: Text(10_000).optional(),
  genres: Labels,
  tags: Labels,
  releaseDate: z.iso.date({ error: 'must be a date (YYYY-MM-DD)' }).optional(),
  durationSec: z.number({ error: 'must be a number' }).int().min(0).max(1_000_000).optional(),
  playable: z.boolean({ error: 'must be true or false' }).optional(),
  attributes: Attributes.optional(),
});

export const Item = ItemInput.extend({
  itemId: Id,
  playable: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const UserInput = z.strictObject({
  age: z.number({ error: 'must be a number' }).int().min(0).max(130).optional(),
  gender: Text(32).optional(),
  country: z
    .string()
    .regex(/^[A-Z]{2}$/, { error: 'must be an ISO 3166-1 alpha-2 code like GB' })
    .optional(),
  plan: Text(64).optional(),
  attributes: Attributes.optional(),
});

export const User = UserInput.extend({ userId: Id, createdAt: z.string(), updatedAt: z.string() });

const Timestamp = z.union([z.number().int().min(0), z.iso.datetime({ offset: true })], {
  error: 'must be epoch milliseconds or an ISO 8601 date-time',
});

export const EventInput = z.strictObject({
  eventId: Id.optional(),
  userId: Id,
  itemId: Id,
  type: z.enum(EVENT_TYPES, { error: `must be one of ${EVENT_TYPES.join(', ')}` }),
  value: z.number({ error: 'must be a number' }).finite().optional(),
  timestamp: Timestamp.optional(),
  // The list answer that showed the item, as returned (impression, click and play events).
  recommendationId: z
    .string({ error: 'must be a string' })
    .min(1)
    .max(1024, { error: 'must be at most 1024 characters' })
    .optional(),
  position: z
    .number({ error: 'must be a number' })
    .int({ error: 'must be a whole number' })
    .min(1, { error: 'must be 1 or more' })
    .max(1000, { error: 'must be at most 1000' })
    .optional(),
});

export const Event = z.object({
  eventId: Id,
  userId: Id,
  itemId: Id,
  type: z.enum(EVENT_TYPES),
  value: z.number().optional(),
  timestamp: z.number(),
  recommendationId: z.string().optional(),
  position: z.number().optional(),
});

export const catalogContracts = {
  putItem: { params: z.object({ itemId: Id }), body: ItemInput, response: Item },
  getItem: { params: z.object({ itemId: Id }), response: Item },
  putItems: {
    body: z.strictObject({
      items: z
        .array(ItemInput.extend({ itemId: Id }), { error: 'must be an array of items' })
        .min(1, { error: 'must not be empty' })
        .max(MAX_BATCH, { error: `must have at most ${MAX_BATCH} items` }),
    }),
    response: z.object({ stored: z.number() }),
  },
  putUser: {
    params: z.object({ userId: Id }),
    body: UserInput,
    response: User,
    errors: { 409: 'The user was erased: nothing about them is stored again' },
  },
  getUser: { params: z.object({ userId: Id }), response: User },
  eraseUser: { params: z.object({ userId: Id }), status: 204 },
  postEvents: {
    body: z.strictObject({
      events: z
        .array(EventInput, { error: 'must be an array of events' })
        .min(1, { error: 'must not be empty' })
        .max(MAX_BATCH, { error: `must have at most ${MAX_BATCH} events` }),
    }),
    response: z.object({ stored: z.number(), eventIds: z.array(z.string()) }),
    status: 202,
    errors: { 409: 'A user of the batch was erased; `errors` names each such event, and none was stored' },
  },
  listUserEvents: {
    params: z.object({ userId: Id }),
    query: z.strictObject({ limit: limitParam(100, 20), cursor: Cursor.optional() }),
    response: z.object({ events: z.array(Event), cursor: z.string().optional() }),
  },
} satisfies ContractMap;
