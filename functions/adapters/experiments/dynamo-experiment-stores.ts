/**
 * DynamoDB adapters of the experiments ports: the experiments table, the counters table (sums per
 * variant, no user id) and the per-user exposures table (exposures, attributions, tallies and
 * counted-event markers, all keyed by the user so erasure deletes them with one partition).
 */
import {
  GetCommand,
  PutCommand,
  paginateQuery,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { batchWrite, scanTable } from '#adapters/dynamodb/batch.ts';
import { documentClient } from '#adapters/dynamodb/client.ts';
import type { UserDataEraser } from '#domain/catalog/ports.ts';
import { ConflictError } from '#domain/errors.ts';
import {
  type Attribution,
  type AttributionRecords,
  type CountedChange,
  type CounterIncrements,
  type CounterStore,
  type Exposure,
  TallyChangedError,
  type UserTally,
} from '#domain/experiments/counting.ts';
import type { Experiment } from '#domain/experiments/experiment.ts';
import { emptyCounters, type VariantCounters } from '#domain/experiments/results.ts';
import type { ExperimentStore } from '#domain/experiments/service.ts';

export class DynamoExperimentStore implements ExperimentStore {
  constructor(private readonly table: string) {}

  async create(experiment: Experiment): Promise<void> {
    await documentClient().send(
      new PutCommand({
        TableName: this.table,
        Item: experiment,
        ConditionExpression: 'attribute_not_exists(experimentId)',
      }),
    );
  }

  async replace(experiment: Experiment, previous: Experiment): Promise<void> {
    try {
      await documentClient().send(
        new PutCommand({
          TableName: this.table,
          Item: experiment,
          // Stopping is the only change: refuse when another stop landed first.
          ConditionExpression: previous.stoppedAt ? 'stoppedAt = :s' : 'attribute_not_exists(stoppedAt)',
          ...(previous.stoppedAt ? { ExpressionAttributeValues: { ':s': previous.stoppedAt } } : {}),
        }),
      );
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException')
        throw new ConflictError(`experiment '${experiment.experimentId}' changed meanwhile; read it again`, {
          cause: error,
        });
      throw error;
    }
  }

  async get(experimentId: string): Promise<Experiment | undefined> {
    const result = await documentClient().send(
      new GetCommand({ TableName: this.table, Key: { experimentId }, ConsistentRead: true }),
    );
    return result.Item as Experiment | undefined;
  }

  async list(): Promise<Experiment[]> {
    const all: Experiment[] = [];
    for await (const page of scanTable<Experiment>(this.table)) all.push(...page);
    return all;
  }
}

/** Markers outlive the stream's 24-hour retention, after which nothing is redelivered (s). */
const MARKER_TTL_SEC = 3 * 86_400;

const COUNTER_FIELDS = Object.keys(emptyCounters('')).filter(
  (f) => f !== 'variant',
) as (keyof CounterIncrements)[];

/** Per-user rows of the exposures table, by kind. */
const recordKey = {
  exposure: (itemId: string) => `exposure#${itemId}`,
  attribution: (eventId: string) => `attribution#${eventId}`,
  tally: (experimentId: string) => `tally#${experimentId}`,
  counted: (eventId: string) => `counted#${eventId}`,
};

export class DynamoAttributionRecords implements AttributionRecords {
  /**
   * @param exposureTtlSec how long an exposure is kept after it was shown (the attribution window
   *   is never longer), seconds.
   */
  constructor(
    private readonly table: string,
    private readonly exposureTtlSec: number,
  ) {}

  async latestExposure(userId: string, itemId: string): Promise<Exposure | undefined> {
    const result = await documentClient().send(
      new GetCommand({
        TableName: this.table,
        Key: { userId, record: recordKey.exposure(itemId) },
        ConsistentRead: true,
      }),
    );
    if (!result.Item) return undefined;
    const { recommendationId, position, shownAt } = result.Item as Exposure;
    return { itemId, recommendationId, ...(position === undefined ? {} : { position }), shownAt };
  }

  async recordExposure(userId: string, exposure: Exposure): Promise<void> {
    try {
      await documentClient().send(
        new PutCommand({
          TableName: this.table,
          Item: {
            userId,
            record: recordKey.exposure(exposure.itemId),
            ...exposure,
            expiresAt: Math.floor(exposure.shownAt / 1000) + this.exposureTtlSec,
          },
          ConditionExpression: 'attribute_not_exists(shownAt) OR shownAt <= :t',
          ExpressionAttributeValues: { ':t': exposure.shownAt },
        }),
      );
    } catch (error) {
      // A newer list already showed the item: it keeps the credit.
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
    }
  }

  async recordAttribution(userId: string, attribution: Attribution): Promise<void> {
    await documentClient().send(
      new PutCommand({
        TableName: this.table,
        Item: { userId, record: recordKey.attribution(attribution.eventId), ...attribution },
      }),
    );
  }

  async tally(userId: string, experimentId: string): Promise<UserTally | undefined> {
    const result = await documentClient().send(
      new GetCommand({
        TableName: this.table,
        Key: { userId, record: recordKey.tally(experimentId) },
        ConsistentRead: true,
      }),
    );
    if (!result.Item) return undefined;
    const { variant, impressions, clicks, plays } = result.Item as UserTally;
    return { variant, impressions, clicks, plays };
  }

  /** The attributions stored for a user (tests, support). */
  async attributions(userId: string): Promise<Attribution[]> {
    const result = await documentClient().send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'userId = :u AND begins_with(#r, :p)',
        ExpressionAttributeNames: { '#r': 'record' },
        ExpressionAttributeValues: { ':u': userId, ':p': 'attribution#' },
      }),
    );
    return (result.Items ?? []).map(
      ({ userId: _, record: __, ...attribution }) => attribution as Attribution,
    );
  }
}

/** The counters of an experiment, one row per variant (results read only these). */
export class DynamoCounterReader implements Pick<CounterStore, 'read'> {
  constructor(protected readonly countersTable: string) {}

  async read(experimentId: string): Promise<VariantCounters[]> {
    const result = await documentClient().send(
      new QueryCommand({
        TableName: this.countersTable,
        KeyConditionExpression: 'experimentId = :e',
        ExpressionAttributeValues: { ':e': experimentId },
        ConsistentRead: true,
      }),
    );
    return (result.Items ?? []).map(
      ({ experimentId: _, ...row }) =>
        ({ ...emptyCounters(row.variant as string), ...row }) as VariantCounters,
    );
  }
}

export class DynamoExperimentCounters extends DynamoCounterReader implements CounterStore {
  constructor(
    countersTable: string,
    private readonly exposuresTable: string,
  ) {
    super(countersTable);
  }

  async add(change: CountedChange): Promise<boolean> {
    const { before, after, increments } = change;
    const added = COUNTER_FIELDS.filter((field) => increments[field] !== 0);
    const tallyCondition = before
      ? { ConditionExpression: 'impressions = :bi AND clicks = :bc AND plays = :bp' }
      : { ConditionExpression: 'attribute_not_exists(#r)' };
    try {
      await documentClient().send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.exposuresTable,
                Item: {
                  userId: change.userId,
                  record: recordKey.counted(change.eventId),
                  expiresAt: Math.floor(Date.now() / 1000) + MARKER_TTL_SEC,
                },
                ConditionExpression: 'attribute_not_exists(#r)',
                ExpressionAttributeNames: { '#r': 'record' },
              },
            },
            {
              Put: {
                TableName: this.exposuresTable,
                Item: { userId: change.userId, record: recordKey.tally(change.experimentId), ...after },
                ...tallyCondition,
                ...(before
                  ? {
                      ExpressionAttributeValues: {
                        ':bi': before.impressions,
                        ':bc': before.clicks,
                        ':bp': before.plays,
                      },
                    }
                  : { ExpressionAttributeNames: { '#r': 'record' } }),
              },
            },
            {
              Update: {
                TableName: this.countersTable,
                Key: { experimentId: change.experimentId, variant: after.variant },
                UpdateExpression: `ADD ${added.map((field) => `#${field} :${field}`).join(', ')}`,
                ExpressionAttributeNames: Object.fromEntries(added.map((field) => [`#${field}`, field])),
                ExpressionAttributeValues: Object.fromEntries(
                  added.map((field) => [`:${field}`, increments[field]]),
                ),
              },
            },
          ],
        }),
      );
      return true;
    } catch (error) {
      const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
      if (reasons[0]?.Code === 'ConditionalCheckFailed') return false;
      if (reasons[1]?.Code === 'ConditionalCheckFailed')
        throw new TallyChangedError('the user tally moved', { cause: error });
      throw error;
    }
  }
}

/** Forgets everything the exposures table holds about a user (their whole partition). */
export class DynamoPartitionEraser implements UserDataEraser {
  constructor(private readonly table: string) {}

  async eraseUser(userId: string): Promise<void> {
    const pages = paginateQuery(
      { client: documentClient() },
      {
        TableName: this.table,
        KeyConditionExpression: 'userId = :u',
        ExpressionAttributeValues: { ':u': userId },
        ProjectionExpression: 'userId, #r',
        ExpressionAttributeNames: { '#r': 'record' },
      },
    );
    for await (const page of pages) {
      const keys = page.Items ?? [];
      if (keys.length > 0)
        await batchWrite(
          this.table,
          keys.map((Key) => ({ DeleteRequest: { Key } })),
        );
    }
  }
}
