/** DynamoDB adapter of the recommender's PlayableCatalog: scans the items table for playable = true. */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '#adapters/dynamodb/client.ts';
import type { PlayableCatalog } from '#domain/recommendations/playable-catalog.ts';

export class DynamoPlayableCatalog implements PlayableCatalog {
  constructor(private readonly table: string) {}

  async playableIds(): Promise<ReadonlySet<string>> {
    const ids = new Set<string>();
    let start: Record<string, unknown> | undefined;
    do {
      const page = await documentClient().send(
        new ScanCommand({
          TableName: this.table,
          ProjectionExpression: 'itemId',
          FilterExpression: 'playable = :true',
          ExpressionAttributeValues: { ':true': true },
          ExclusiveStartKey: start,
        }),
      );
      for (const row of page.Items ?? []) ids.add(row.itemId as string);
      start = page.LastEvaluatedKey;
    } while (start);
    return ids;
  }
}
