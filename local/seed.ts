/**
 * Seeds an empty local store with the generated demo data, through the same storage adapters.
 *
 * Resumable: a marker in the state folder records the seed and the day the data was generated for
 * before any write, and is marked complete at the end. A start that finds an incomplete marker
 * (the previous one was killed, or a write failed) writes the same data again: every row is keyed
 * by a deterministic id, so what landed before is overwritten, never duplicated.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { batchWrite } from '#adapters/dynamodb/batch.ts';
import { DynamoEventStore, DynamoItemStore } from '#adapters/dynamodb/catalog-stores.ts';
import { chunks } from '#adapters/dynamodb/client.ts';
import type { InteractionEvent, Item, UserAttributes } from '#domain/catalog/types.ts';
import { generateDemoData } from '#domain/demo/generate.ts';
import type { Progress } from './progress.ts';
import { inParallel } from './worker-pool.ts';

const DAY_MS = 86_400_000;

export interface SeedResult {
  seeded: boolean;
  /** Why nothing was written, when `seeded` is false. */
  reason?: string;
  items: number;
  users: number;
  events: number;
}

interface SeedMarker {
  seed: number;
  /** Epoch ms the history ends at (the start of the day it was generated). */
  now: number;
  complete: boolean;
}

const markerFile = (stateDir: string) => path.join(stateDir, 'demo-seed.json');

function readMarker(stateDir: string): SeedMarker | undefined {
  const file = markerFile(stateDir);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as SeedMarker) : undefined;
}

const writeMarker = (stateDir: string, marker: SeedMarker) =>
  writeFileSync(markerFile(stateDir), JSON.stringify(marker));

/** Whether seeding has work to do: never seeded into an empty store, or a seeding left unfinished. */
export async function seedingNeeded(names: Record<string, string>, stateDir: string): Promise<boolean> {
  const marker = readMarker(stateDir);
  if (marker) return !marker.complete;
  for await (const page of new DynamoItemStore(names.ITEMS_TABLE).scan()) if (page.length > 0) return false;
  return true;
}

/**
 * Writes the demo catalog, users and events unless the store holds data of its own (or the demo
 * was seeded already). The history ends at the start of today (UTC) so trending is current; a
 * resumed seeding keeps the day it started with, so it writes the same rows again.
 */
export async function seedDemoData(
  names: Record<string, string>,
  stateDir: string,
  options: { seed?: number; now?: number; progress?: Progress } = {},
): Promise<SeedResult> {
  const empty = { items: 0, users: 0, events: 0 };
  if (!(await seedingNeeded(names, stateDir)))
    return { seeded: false, reason: 'the store already holds data', ...empty };
  const marker = readMarker(stateDir) ?? {
    seed: options.seed ?? 42,
    now: options.now ?? Math.floor(Date.now() / DAY_MS) * DAY_MS,
    complete: false,
  };
  writeMarker(stateDir, marker);
  const data = generateDemoData({ seed: marker.seed, now: marker.now });
  await writeDataset(names, data, {
    createdAt: new Date(marker.now).toISOString(),
    progress: options.progress,
  });
  writeMarker(stateDir, { ...marker, complete: true });
  return { seeded: true, items: data.items.length, users: data.users.length, events: data.events.length };
}

/**
 * Writes a generated or imported dataset straight through the storage adapters (no API): items in
 * transactions of 100, users and events with patient batch writes, several event chunks in flight.
 */
export async function writeDataset(
  names: Record<string, string>,
  data: { items: Item[]; users: UserAttributes[]; events: InteractionEvent[] },
  options: { concurrency?: number; createdAt?: string; progress?: Progress } = {},
): Promise<void> {
  const count = (n: number) => n.toLocaleString('en');
  const itemsPhase = options.progress?.phase('items', data.items.length, 'items');
  const items = new DynamoItemStore(names.ITEMS_TABLE);
  for (const batch of chunks(data.items, 100)) {
    await items.putAll(batch);
    itemsPhase?.advance(batch.length);
  }
  itemsPhase?.done(`${count(data.items.length)} items`);

  const usersPhase = options.progress?.phase('users', data.users.length, 'users');
  await batchWrite(
    names.USERS_TABLE,
    data.users.map((user) => ({
      PutRequest: { Item: options.createdAt ? { ...user, createdAt: options.createdAt } : user },
    })),
    { patienceMs: 300_000, onWritten: (n) => usersPhase?.advance(n) },
  );
  usersPhase?.done(`${count(data.users.length)} users`);

  const eventsPhase = options.progress?.phase('events', data.events.length, 'events');
  const events = new DynamoEventStore(names.EVENTS_TABLE);
  await inParallel(chunks(data.events, 500), options.concurrency ?? 4, (batch) =>
    events.load(batch, (n) => eventsPhase?.advance(n)),
  );
  eventsPhase?.done(`${count(data.events.length)} events`);
}
