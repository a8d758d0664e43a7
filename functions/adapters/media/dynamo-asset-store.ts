/** DynamoDB adapter of the AssetStore port (the `assets` table, `byStatus` index for listing). */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { decodeCursor, documentClient, encodeCursor } from '#adapters/dynamodb/client.ts';
import type { AssetStatus, VideoAsset } from '#domain/media/asset.ts';
import type { AssetPage, AssetStore } from '#domain/media/ports.ts';

export class DynamoAssetStore implements AssetStore {
  constructor(private readonly table: string) {}

  async create(asset: VideoAsset): Promise<void> {
    await documentClient().send(
      new PutCommand({
        TableName: this.table,
        Item: asset,
        ConditionExpression: 'attribute_not_exists(assetId)',
      }),
    );
  }

  async get(assetId: string): Promise<VideoAsset | undefined> {
    const result = await documentClient().send(
      new GetCommand({ TableName: this.table, Key: { assetId }, ConsistentRead: true }),
    );
    return result.Item as VideoAsset | undefined;
  }

  async list(options: { status?: AssetStatus; limit: number; cursor?: string }): Promise<AssetPage> {
    const start = decodeCursor(
      options.cursor,
      options.status
        ? { keys: ['assetId', 'status', 'createdAt'], fixed: { status: options.status } }
        : { keys: ['assetId'] },
    );
    const result = options.status
      ? await documentClient().send(
          new QueryCommand({
            TableName: this.table,
            IndexName: 'byStatus',
            KeyConditionExpression: '#status = :status',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':status': options.status },
            ScanIndexForward: false,
            Limit: options.limit,
            ExclusiveStartKey: start,
          }),
        )
      : await documentClient().send(
          new ScanCommand({ TableName: this.table, Limit: options.limit, ExclusiveStartKey: start }),
        );
    return { assets: (result.Items ?? []) as VideoAsset[], cursor: encodeCursor(result.LastEvaluatedKey) };
  }

  async update(
    assetId: string,
    fields: Partial<Omit<VideoAsset, 'assetId'>>,
    options: { unlessSettledBy?: string; claimFor?: string; remove?: (keyof VideoAsset)[] } = {},
  ): Promise<boolean> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const sets: string[] = [];
    for (const [name, value] of Object.entries(fields)) {
      if (value === undefined) continue;
      names[`#${name}`] = name;
      values[`:${name}`] = value;
      sets.push(`#${name} = :${name}`);
    }
    const removes = (options.remove ?? []).filter((name) => !(name in fields));
    for (const name of removes) names[`#${name}`] = name;
    const conditions = ['attribute_exists(assetId)'];
    if (options.unlessSettledBy !== undefined) {
      names['#status'] = 'status';
      names['#jobId'] = 'jobId';
      values[':ready'] = 'READY';
      values[':failed'] = 'FAILED';
      values[':expectedJob'] = options.unlessSettledBy;
      conditions.push(
        '#status <> :ready',
        '#status <> :failed',
        '(attribute_not_exists(#jobId) OR #jobId = :expectedJob)',
      );
    }
    if (options.claimFor !== undefined) {
      names['#status'] = 'status';
      names['#ingestToken'] = 'ingestToken';
      values[':uploading'] = 'UPLOADING';
      values[':claimToken'] = options.claimFor;
      conditions.push('(#status = :uploading OR #ingestToken = :claimToken)');
    }
    const expression = [
      sets.length ? `SET ${sets.join(', ')}` : '',
      removes.length ? `REMOVE ${removes.map((name) => `#${name}`).join(', ')}` : '',
    ]
      .filter(Boolean)
      .join(' ');
    if (!expression) return true;
    try {
      await documentClient().send(
        new UpdateCommand({
          TableName: this.table,
          Key: { assetId },
          UpdateExpression: expression,
          ConditionExpression: conditions.join(' AND '),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: Object.keys(values).length ? values : undefined,
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
