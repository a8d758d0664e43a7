/** Seeds an empty local store with the generated demo data, through the same storage adapters. */
import { batchWrite } from '#adapters/dynamodb/batch.ts';
import { DynamoEventStore, DynamoItemStore } from '#adapters/dynamodb/catalog-stores.ts';
import { chunks } from '#adapters/dynamodb/client.ts';
import type { InteractionEvent, Item, UserAttributes } from '#domain/catalog/types.ts';
import { generateDemoData } from '#domain/demo/generate.ts';
import { inParallel } from './worker-pool.ts';

const DAY_MS = 86_400_000;

export interface SeedResult {
  seeded: boolean;
  items: number;
  users: number;
  events: number;
}

/**
 * Writes the demo catalog, users and events if the items table is empty. The history ends at the
 * start of today (UTC) so trending is current, and the seed keeps it reproducible.
 */
export async function seedDemoData(
  names: Record<string, string>,
  options: { seed?: number; now?: number; concurrency?: number } = {},
): Promise<SeedResult> {
  const items = new DynamoItemStore(names.ITEMS_TABLE);
  for await (const page of items.scan()) {
    if (page.length > 0) return { seeded: false, items: 0, users: 0, events: 0 };
  }
  const now = options.now ?? Math.floor(Date.now() / DAY_MS) * DAY_MS;
  const data = generateDemoData({ seed: options.seed ?? 42, now });
  await writeDataset(names, data, {
    concurrency: options.concurrency,
    createdAt: new Date(now).toISOString(),
  });
  return { seeded: true, items: data.items.length, users: data.users.length, events: data.events.length };
}

/**
 * Writes a generated or imported dataset straight through the storage adapters (no API): items in
 * transactions of 100, users and events with BatchWriteItem, `concurrency` event batches in flight.
 */
export async function writeDataset(
  names: Record<string, string>,
  data: { items: Item[]; users: UserAttributes[]; events: InteractionEvent[] },
  options: { concurrency?: number; createdAt?: string } = {},
): Promise<void> {
  const items = new DynamoItemStore(names.ITEMS_TABLE);
  for (const batch of chunks(data.items, 100)) await items.putAll(batch);
  await batchWrite(
    names.USERS_TABLE,
    data.users.map((user) => ({
      PutRequest: { Item: options.createdAt ? { ...user, createdAt: options.createdAt } : user },
    })),
  );
  const events = new DynamoEventStore(names.EVENTS_TABLE);
  await inParallel(chunks(data.events, 500), options.concurrency ?? 4, (batch) => events.putAll(batch));
}
