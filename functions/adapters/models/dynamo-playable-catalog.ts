/** DynamoDB adapter of the recommender's PlayableCatalog: scans the items table for playable = true. */
import { scanTable } from '#adapters/dynamodb/batch.ts';
import type { PlayableCatalog } from '#domain/recommendations/playable-catalog.ts';

export class DynamoPlayableCatalog implements PlayableCatalog {
  constructor(private readonly table: string) {}

  async playableIds(): Promise<ReadonlySet<string>> {
    const ids = new Set<string>();
    const pages = scanTable<{ itemId: string }>(this.table, {
      ProjectionExpression: 'itemId',
      FilterExpression: 'playable = :true',
      ExpressionAttributeValues: { ':true': true },
    });
    for await (const rows of pages) for (const row of rows) ids.add(row.itemId);
    return ids;
  }
}
