/** The profiles table: one summary row per user, indexed by segment (bySegment) and anomaly score (byAnomaly). */
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Page } from '#domain/catalog/ports.ts';
import type { ProfileStore, StoredProfileSummary } from '#domain/profiles/ports.ts';
import { batchGet } from '#adapters/dynamodb/batch.ts';
import { chunks, decodeCursor, documentClient, encodeCursor } from '#adapters/dynamodb/client.ts';
import { ERASED, NOT_ERASED } from '#adapters/dynamodb/erasure.ts';
import { assertFiniteNumbers } from '#domain/profiles/finite-numbers.ts';

/**
 * byAnomaly is partitioned by a shard so writes of a whole audience do not pile onto one partition;
 * reads query every shard and merge.
 */
export const ANOMALY_SHARDS = 4;

/** Summaries a putAll writes at once. */
const PARALLEL_PUTS = 25;

/** A stored row: the summary plus the byAnomaly shard key. */
export interface ProfileRow extends StoredProfileSummary {
  anomalyShard?: string;
}

/** A stable shard for a user id (FNV-1a). */
export function anomalyShardOf(userId: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < userId.length; i++) {
    hash ^= userId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return `shard-${(hash >>> 0) % ANOMALY_SHARDS}`;
}

/** The stored row; refuses NaN or infinite answers by name rather than with DynamoDB's generic error. */
function toRow(summary: StoredProfileSummary): ProfileRow {
  assertFiniteNumbers(summary, 'profile', `the profile of user ${summary.userId}`);
  return {
    ...summary,
    ...(summary.anomalyScore === undefined ? {} : { anomalyShard: anomalyShardOf(summary.userId) }),
  };
}

/** The summary of a stored row (without the index-only shard key). */
export const fromProfileRow = ({ anomalyShard: _shard, ...summary }: ProfileRow): StoredProfileSummary =>
  summary;

export class DynamoProfileStore implements ProfileStore {
  constructor(private readonly table: string) {}

  async get(userId: string): Promise<StoredProfileSummary | undefined> {
    const result = await documentClient().send(new GetCommand({ TableName: this.table, Key: { userId } }));
    return result.Item && !(ERASED in result.Item) ? fromProfileRow(result.Item as ProfileRow) : undefined;
  }

  /** Stores a summary unless the user was erased (then nothing is written, quietly). */
  async put(summary: StoredProfileSummary): Promise<void> {
    try {
      await documentClient().send(
        new PutCommand({ TableName: this.table, Item: toRow(summary), ConditionExpression: NOT_ERASED }),
      );
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
    }
  }

  /**
   * Stores summaries, each a conditional PutItem on its user not being erased (a retrain that read a
   * user before the erasure never writes their profile back; that row is dropped quietly), 25 at a
   * time. Not one transaction of many rows: a transactional write costs two write units per KB where
   * a PutItem costs one, and the rows need no all-or-nothing.
   */
  async putAll(summaries: StoredProfileSummary[]): Promise<void> {
    for (const chunk of chunks(summaries, PARALLEL_PUTS)) await Promise.all(chunk.map((s) => this.put(s)));
  }

  /** Summaries of these users, read eventually consistent (half a read unit a row). */
  async getAll(userIds: readonly string[]): Promise<Map<string, StoredProfileSummary>> {
    const rows = await batchGet({ [this.table]: { Keys: userIds.map((userId) => ({ userId })) } });
    const out = new Map<string, StoredProfileSummary>();
    for (const row of rows[this.table] as ProfileRow[])
      if (!(ERASED in row)) out.set(row.userId, fromProfileRow(row));
    return out;
  }

  async listBySegment(
    segmentId: string,
    options: { limit: number; cursor?: string },
  ): Promise<Page<StoredProfileSummary>> {
    const result = await documentClient().send(
      new QueryCommand({
        TableName: this.table,
        IndexName: 'bySegment',
        KeyConditionExpression: 'segmentId = :s',
        ExpressionAttributeValues: { ':s': segmentId },
        Limit: options.limit,
        ExclusiveStartKey: decodeCursor(options.cursor, {
          keys: ['userId', 'segmentId'],
          fixed: { segmentId },
        }),
      }),
    );
    // Handed on even for a short page: one cut by the 1 MB limit is not the end.
    const cursor = encodeCursor(result.LastEvaluatedKey);
    return {
      items: ((result.Items ?? []) as ProfileRow[]).map(fromProfileRow),
      ...(cursor ? { cursor } : {}),
    };
  }

  async listMostAnomalous(options: { minScore: number; limit: number }): Promise<StoredProfileSummary[]> {
    const shards = Array.from({ length: ANOMALY_SHARDS }, (_, i) => `shard-${i}`);
    const pages = await Promise.all(
      shards.map((shard) =>
        documentClient().send(
          new QueryCommand({
            TableName: this.table,
            IndexName: 'byAnomaly',
            KeyConditionExpression: 'anomalyShard = :shard AND anomalyScore >= :min',
            ExpressionAttributeValues: { ':shard': shard, ':min': options.minScore },
            ScanIndexForward: false,
            Limit: options.limit,
          }),
        ),
      ),
    );
    return pages
      .flatMap((page) => (page.Items ?? []) as ProfileRow[])
      .sort((a, b) => (b.anomalyScore ?? 0) - (a.anomalyScore ?? 0) || (a.userId < b.userId ? -1 : 1))
      .slice(0, options.limit)
      .map(fromProfileRow);
  }
}
