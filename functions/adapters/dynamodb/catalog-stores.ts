/** DynamoDB adapters of the catalog ports: items, users and events tables. */
import {
  GetCommand,
  PutCommand,
  paginateQuery,
  type QueryCommandInput,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { EventStore, ItemStore, Page, UserStore } from '#domain/catalog/ports.ts';
import {
  type InteractionEvent,
  isUserSignal,
  ITEM_CONTENT_FIELDS,
  type Item,
  NON_SIGNAL_EVENT_TYPES,
  type UserAttributes,
} from '#domain/catalog/types.ts';
import { UserErasedError } from '#domain/errors.ts';
import { availabilityOf, eventDayShard, itemFromRow } from '#adapters/models/catalog-indexes.ts';
import { batchGet, batchWrite, scanTable } from './batch.ts';
import { ERASED, erasedAmong, NOT_ERASED, writeErasureRecord } from './erasure.ts';
import { decodeCursor, documentClient, encodeCursor } from './client.ts';

/** The update that keeps `createdAt` and a playable flag set earlier by the media pipeline. */
function itemUpdate(table: string, item: Item) {
  const now = new Date().toISOString();
  const { itemId, createdAt = now, playable, ...rest } = item;
  rest.updatedAt ??= now;
  const names: Record<string, string> = {
    '#createdAt': 'createdAt',
    '#playable': 'playable',
    '#availability': 'availability',
  };
  const values: Record<string, unknown> = {
    ':createdAt': createdAt,
    ':playable': playable ?? false,
    ':availability': availabilityOf(playable ?? false),
  };
  const sets = ['#createdAt = if_not_exists(#createdAt, :createdAt)'];
  // `availability` keys the recommender's playable-items index and always follows `playable`.
  sets.push(
    playable === undefined
      ? '#playable = if_not_exists(#playable, :playable), #availability = if_not_exists(#availability, :availability)'
      : '#playable = :playable, #availability = :availability',
  );
  const removes: string[] = [];
  for (const key of [...ITEM_CONTENT_FIELDS, 'updatedAt'] as const) {
    names[`#${key}`] = key;
    const value = (rest as Record<string, unknown>)[key];
    if (value === undefined) removes.push(`#${key}`);
    else {
      values[`:${key}`] = value;
      sets.push(`#${key} = :${key}`);
    }
  }
  return {
    TableName: table,
    Key: { itemId },
    UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

export class DynamoItemStore implements ItemStore {
  constructor(private readonly table: string) {}

  async put(item: Item): Promise<Item> {
    const result = await documentClient().send(
      new UpdateCommand({ ...itemUpdate(this.table, item), ReturnValues: 'ALL_NEW' }),
    );
    return itemFromRow(result.Attributes ?? {});
  }

  async putAll(items: Item[]): Promise<void> {
    // A transaction of up to 100 updates: all or nothing.
    await documentClient().send(
      new TransactWriteCommand({
        TransactItems: items.map((item) => ({ Update: itemUpdate(this.table, item) })),
      }),
    );
  }

  async get(itemId: string): Promise<Item | undefined> {
    const result = await documentClient().send(new GetCommand({ TableName: this.table, Key: { itemId } }));
    return result.Item && itemFromRow(result.Item);
  }

  async getMany(itemIds: string[]): Promise<Map<string, Item>> {
    const keys = [...new Set(itemIds)].map((itemId) => ({ itemId }));
    const rows = await batchGet({ [this.table]: { Keys: keys } });
    return new Map(
      (rows[this.table] as Record<string, unknown>[]).map(itemFromRow).map((item) => [item.itemId, item]),
    );
  }

  scan(): AsyncIterable<Item[]> {
    return scanTable<Item>(this.table);
  }
}

export class DynamoUserStore implements UserStore {
  constructor(private readonly table: string) {}

  async put(user: UserAttributes): Promise<UserAttributes> {
    const existing = await this.get(user.userId);
    const stored = { ...user, createdAt: existing?.createdAt ?? user.createdAt };
    try {
      await documentClient().send(
        new PutCommand({ TableName: this.table, Item: stored, ConditionExpression: NOT_ERASED }),
      );
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException')
        throw new UserErasedError([user.userId]);
      throw error;
    }
    return stored;
  }

  async get(userId: string): Promise<UserAttributes | undefined> {
    const result = await documentClient().send(new GetCommand({ TableName: this.table, Key: { userId } }));
    return result.Item && !(ERASED in result.Item) ? (result.Item as UserAttributes) : undefined;
  }

  async erase(userId: string, at: string): Promise<void> {
    await writeErasureRecord(this.table, userId, at);
  }

  erasedAmong(userIds: string[]): Promise<Set<string>> {
    return erasedAmong(this.table, userIds);
  }

  scan(): AsyncIterable<UserAttributes[]> {
    return scanTable<UserAttributes>(this.table, { FilterExpression: NOT_ERASED });
  }
}

/** The refusal of a batch naming each event whose user was erased. */
const erasedEventsError = (events: InteractionEvent[], erased: Set<string>) =>
  new UserErasedError(
    [...erased],
    events.flatMap((event, index) =>
      erased.has(event.userId) ? [{ field: `events[${index}].userId`, message: 'was erased' }] : [],
    ),
  );

/**
 * Events: key (userId, eventId) makes retries idempotent; the LSI `byTime` orders by `ts`. A user's
 * own events carry their time in `ts`, impressions in `shownAt`: both time indexes (`byTime`,
 * `byDay`) are sparse on `ts`, so they hold a user's history and nothing of the lists they were
 * shown (ten impressions per list would otherwise crowd the history read and cost index writes).
 */
export interface EventRow {
  userId: string;
  /** Keys the recommender's `byDay` index (functions/adapters/models/catalog-indexes.ts). */
  dayShard: string;
  eventId: string;
  itemId: string;
  type: InteractionEvent['type'];
  value?: number;
  /** When a user's own event happened (isUserSignal), epoch ms; keys the time indexes. */
  ts?: number;
  /** When an impression was shown, epoch ms; kept out of the time indexes. */
  shownAt?: number;
  expiresAt?: number;
  recommendationId?: string;
  position?: number;
}

/** An event as the events table stores it (`retentionDays` sets its expiry). */
export const eventToRow = (event: InteractionEvent, retentionDays?: number): EventRow => ({
  userId: event.userId,
  dayShard: eventDayShard(event.userId, event.timestamp),
  eventId: event.eventId,
  itemId: event.itemId,
  type: event.type,
  ...(event.value === undefined ? {} : { value: event.value }),
  ...(isUserSignal(event) ? { ts: event.timestamp } : { shownAt: event.timestamp }),
  ...(retentionDays ? { expiresAt: Math.floor(event.timestamp / 1000) + retentionDays * 86_400 } : {}),
  ...(event.recommendationId === undefined ? {} : { recommendationId: event.recommendationId }),
  ...(event.position === undefined ? {} : { position: event.position }),
});

/** An events-table row (base table or index) as the event a client posted. */
export const eventFromRow = (row: EventRow): InteractionEvent => ({
  eventId: row.eventId,
  userId: row.userId,
  itemId: row.itemId,
  type: row.type,
  ...(row.value === undefined ? {} : { value: row.value }),
  timestamp: row.ts ?? row.shownAt ?? 0,
  ...(row.recommendationId === undefined ? {} : { recommendationId: row.recommendationId }),
  ...(row.position === undefined ? {} : { position: row.position }),
});

/**
 * The filter that keeps a user's own events (isUserSignal) in a Query of the base table, which
 * also holds impressions; the time indexes need none (see EventRow).
 */
function userSignalFilter(values: Record<string, unknown>) {
  const names = NON_SIGNAL_EVENT_TYPES.map((_, i) => `:nonSignal${i}`);
  return {
    FilterExpression: `NOT (#type IN (${names.join(', ')}))`,
    ExpressionAttributeNames: { '#type': 'type' },
    ExpressionAttributeValues: {
      ...values,
      ...Object.fromEntries(NON_SIGNAL_EVENT_TYPES.map((type, i) => [names[i], type])),
    },
  };
}

/** DynamoDB's limit of actions in one TransactWriteItems. */
const MAX_TRANSACTION_ACTIONS = 100;

export class DynamoEventStore implements EventStore {
  /**
   * @param retentionDays events expire (TTL) this many days after they happened; 0 keeps them.
   * @param usersTable where erasure records are (putAll refuses events of erased users); absent
   *   for stores that only read or bulk-load.
   */
  constructor(
    private readonly table: string,
    private readonly retentionDays = 0,
    private readonly usersTable?: string,
  ) {}

  /**
   * One transaction: every event lands or none does, so a failed request can simply be retried.
   * The users' erasure records are checked in the same transaction when it has room (one round
   * trip); otherwise before and again after the write, whose events are removed if an erasure
   * landed in between.
   */
  async putAll(events: InteractionEvent[]): Promise<void> {
    if (!this.usersTable) throw new Error('DynamoEventStore.putAll needs the users table to check erasures');
    const users = [...new Set(events.map((event) => event.userId))];
    const puts = events.map((event) => ({
      Put: { TableName: this.table, Item: eventToRow(event, this.retentionDays) },
    }));
    if (puts.length + users.length <= MAX_TRANSACTION_ACTIONS) {
      const checks = users.map((userId) => ({
        ConditionCheck: { TableName: this.usersTable!, Key: { userId }, ConditionExpression: NOT_ERASED },
      }));
      try {
        await documentClient().send(new TransactWriteCommand({ TransactItems: [...puts, ...checks] }));
      } catch (error) {
        const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
        const erased = users.filter((_, i) => reasons[puts.length + i]?.Code === 'ConditionalCheckFailed');
        if (erased.length > 0) throw erasedEventsError(events, new Set(erased));
        throw error;
      }
      return;
    }
    const before = await erasedAmong(this.usersTable, users);
    if (before.size > 0) throw erasedEventsError(events, before);
    await documentClient().send(new TransactWriteCommand({ TransactItems: puts }));
    const after = await erasedAmong(this.usersTable, users);
    if (after.size > 0) {
      const written = events.filter((event) => after.has(event.userId));
      await batchWrite(
        this.table,
        written.map((event) => ({
          DeleteRequest: { Key: { userId: event.userId, eventId: event.eventId } },
        })),
      );
      throw erasedEventsError(events, after);
    }
  }

  async load(events: InteractionEvent[], onWritten?: (count: number) => void): Promise<void> {
    await batchWrite(
      this.table,
      events.map((event) => ({ PutRequest: { Item: eventToRow(event, this.retentionDays) } })),
      { patienceMs: 300_000, onWritten },
    );
  }

  async listByUser(
    userId: string,
    options: { limit: number; cursor?: string },
  ): Promise<Page<InteractionEvent>> {
    const result = await documentClient().send(
      new QueryCommand({
        TableName: this.table,
        IndexName: 'byTime',
        KeyConditionExpression: 'userId = :u',
        ExpressionAttributeValues: { ':u': userId },
        ScanIndexForward: false,
        Limit: options.limit,
        ExclusiveStartKey: decodeCursor(options.cursor, {
          keys: ['userId', 'eventId', 'ts'],
          fixed: { userId },
        }),
      }),
    );
    // A page cut short by DynamoDB's 1 MB limit also has a LastEvaluatedKey: always hand it on, so a
    // reader never mistakes a partial page for the end (the price: at most one empty last page).
    const cursor = encodeCursor(result.LastEvaluatedKey);
    return { items: ((result.Items ?? []) as EventRow[]).map(eventFromRow), ...(cursor ? { cursor } : {}) };
  }

  /**
   * The user's newest `max` own events (impressions left out), newest first. The base table first
   * (DynamoDB Local answers it ~25% faster than the byTime index, and most users have fewer than
   * `max` rows, so one request reads them all); a user with more rows is read again through byTime,
   * which holds no impressions: one page of `max`, however many lists the user was shown.
   */
  async latestByUser(userId: string, max: number): Promise<InteractionEvent[]> {
    // max + 1 rows examined tell "all of them" from "more than max" in one page for most users.
    const all = await documentClient().send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'userId = :u',
        ...userSignalFilter({ ':u': userId }),
        Limit: max + 1,
      }),
    );
    if (!all.LastEvaluatedKey)
      return ((all.Items ?? []) as EventRow[])
        .map(eventFromRow)
        .sort((a, b) => b.timestamp - a.timestamp)
        .slice(0, max);
    return (await this.listByUser(userId, { limit: max })).items;
  }

  async deleteByUser(userId: string): Promise<number> {
    let deleted = 0;
    for await (const keys of this.partitionPages(userId, { ProjectionExpression: 'userId, eventId' })) {
      await batchWrite(
        this.table,
        keys.map((key) => ({ DeleteRequest: { Key: key } })),
      );
      deleted += keys.length;
    }
    return deleted;
  }

  /** A user's rows in the base table (eventId order), a page at a time until the partition ends. */
  private async *partitionPages<Row = Record<string, unknown>>(
    userId: string,
    options: Pick<QueryCommandInput, 'Limit' | 'ProjectionExpression'>,
  ): AsyncIterable<Row[]> {
    const pages = paginateQuery(
      { client: documentClient() },
      {
        TableName: this.table,
        KeyConditionExpression: 'userId = :u',
        ExpressionAttributeValues: { ':u': userId },
        ...options,
      },
    );
    for await (const page of pages) yield (page.Items ?? []) as Row[];
  }

  async *scan(part?: { segment: number; of: number }): AsyncIterable<InteractionEvent[]> {
    const segment = part ? { Segment: part.segment, TotalSegments: part.of } : {};
    for await (const rows of scanTable<EventRow>(this.table, segment)) yield rows.map(eventFromRow);
  }
}
