/** The events table's size as DynamoDB reports it, for choosing the retrain path. */
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import type { StoredEventCount } from '#domain/models/retrain-path.ts';
import { documentClient } from './client.ts';

export class DynamoEventCount implements StoredEventCount {
  constructor(private readonly table: string) {}

  /** DescribeTable's ItemCount: free and instant, but AWS refreshes it only about every 6 hours. */
  async approximateEventCount(): Promise<number> {
    const described = await documentClient().send(new DescribeTableCommand({ TableName: this.table }));
    return described.Table?.ItemCount ?? 0;
  }
}
