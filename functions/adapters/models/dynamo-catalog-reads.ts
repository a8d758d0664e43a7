/**
 * The recommender's bounded reads of the catalog tables, through the indexes keyed in
 * catalog-indexes.ts: the newest events of a time window, the newest items, the playable items.
 * None scans a table; each read is bounded by the window or the count it is given.
 */
import { paginateQuery } from '@aws-sdk/lib-dynamodb';
import { DynamoItemStore, type EventRow, eventFromRow } from '#adapters/dynamodb/catalog-stores.ts';
import { documentClient } from '#adapters/dynamodb/client.ts';
import type { InteractionEvent, Item } from '#domain/catalog/types.ts';
import type { PlayableCatalog } from '#domain/recommendations/playable-catalog.ts';
import type { FallbackCatalog } from '#domain/recommendations/serving/fallback.ts';
import { type Availability, dayShardsOf, itemFromRow } from './catalog-indexes.ts';

const DAY_MS = 86_400_000;

/** Events by time through the events table's `byDay` index. */
export class DynamoRecentEvents {
  constructor(
    private readonly table: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** Every event from `since` (epoch ms) to now, oldest day first. */
  async since(since: number): Promise<InteractionEvent[]> {
    const out: InteractionEvent[] = [];
    for (let day = since; day < this.now() + DAY_MS; day += DAY_MS) {
      const shards = await Promise.all(dayShardsOf(day).map((shard) => this.shardRows(shard, since)));
      for (const rows of shards) out.push(...rows.map(eventFromRow));
    }
    return out;
  }

  /** The newest events, newest first: at most `max`, none older than `since` (epoch ms). */
  async newest(since: number, max: number): Promise<InteractionEvent[]> {
    const out: InteractionEvent[] = [];
    for (let day = this.now(); day > since - DAY_MS && out.length < max; day -= DAY_MS) {
      const shards = await Promise.all(
        dayShardsOf(day).map((shard) => this.shardRows(shard, since, max - out.length)),
      );
      out.push(
        ...shards
          .flat()
          .map(eventFromRow)
          .sort((a, b) => b.timestamp - a.timestamp),
      );
    }
    return out.slice(0, max);
  }

  /** One shard of one day from `since` on, newest first when `limit` is given (stops there). */
  private async shardRows(shard: string, since: number, limit?: number): Promise<EventRow[]> {
    const rows: EventRow[] = [];
    const pages = paginateQuery(
      { client: documentClient(), pageSize: limit },
      {
        TableName: this.table,
        IndexName: 'byDay',
        KeyConditionExpression: 'dayShard = :shard AND ts >= :since',
        ExpressionAttributeValues: { ':shard': shard, ':since': since },
        ScanIndexForward: limit === undefined,
      },
    );
    for await (const page of pages) {
      rows.push(...((page.Items ?? []) as EventRow[]));
      if (limit !== undefined && rows.length >= limit) break;
    }
    return rows;
  }
}

/** Items by availability and age through the items table's `byAvailability` index. */
export class DynamoCatalogItems implements PlayableCatalog {
  constructor(private readonly table: string) {}

  /** Ids of every playable item: the playable partition only, never the whole table. */
  async playableIds(): Promise<ReadonlySet<string>> {
    const ids = new Set<string>();
    for await (const rows of this.partition('playable', { projection: 'itemId' })) {
      for (const row of rows) ids.add(String(row.itemId));
    }
    return ids;
  }

  /** The `max` newest items of the catalog, newest first. */
  async newest(max: number): Promise<Item[]> {
    const newestOf = async (availability: Availability) => {
      const items: Item[] = [];
      for await (const rows of this.partition(availability, { newestFirst: true, limit: max })) {
        items.push(...rows.map(itemFromRow));
        if (items.length >= max) break;
      }
      return items;
    };
    const both = (await Promise.all([newestOf('playable'), newestOf('not-playable')])).flat();
    return both.sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? '')).slice(0, max);
  }

  private async *partition(
    availability: Availability,
    options: { projection?: string; newestFirst?: boolean; limit?: number },
  ): AsyncIterable<Record<string, unknown>[]> {
    const pages = paginateQuery(
      { client: documentClient(), pageSize: options.limit },
      {
        TableName: this.table,
        IndexName: 'byAvailability',
        KeyConditionExpression: 'availability = :a',
        ExpressionAttributeValues: { ':a': availability },
        ProjectionExpression: options.projection,
        ScanIndexForward: !options.newestFirst,
      },
    );
    for await (const page of pages) yield (page.Items ?? []) as Record<string, unknown>[];
  }
}

/** The fallback's reads: the newest events by day, items by id, the newest items. */
export class DynamoFallbackCatalog implements FallbackCatalog {
  private readonly events: DynamoRecentEvents;
  private readonly catalog: DynamoCatalogItems;
  private readonly store: DynamoItemStore;

  constructor(eventsTable: string, itemsTable: string) {
    this.events = new DynamoRecentEvents(eventsTable);
    this.catalog = new DynamoCatalogItems(itemsTable);
    this.store = new DynamoItemStore(itemsTable);
  }

  newestEvents(since: number, max: number): Promise<InteractionEvent[]> {
    return this.events.newest(since, max);
  }

  async items(ids: string[]): Promise<Item[]> {
    return ids.length === 0 ? [] : [...(await this.store.getMany(ids)).values()];
  }

  newestItems(max: number): Promise<Item[]> {
    return this.catalog.newest(max);
  }
}
