/** A profile read's events: one user's time range through the events table's byTime index, newest first. */
import { paginateQuery } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '#adapters/dynamodb/client.ts';
import { type EventRow, eventFromRow } from '#adapters/dynamodb/catalog-stores.ts';
import type { InteractionEvent } from '#domain/catalog/types.ts';
import type { ProfileEventReader } from '#domain/profiles/ports.ts';

export class DynamoProfileEvents implements ProfileEventReader {
  constructor(private readonly table: string) {}

  async between(
    userId: string,
    range: { from: number; to: number },
    max: number,
  ): Promise<InteractionEvent[]> {
    const out: InteractionEvent[] = [];
    if (max <= 0 || range.from >= range.to) return out;
    const pages = paginateQuery(
      { client: documentClient(), pageSize: max },
      {
        TableName: this.table,
        IndexName: 'byTime',
        // BETWEEN is inclusive; the event at exactly `to` is dropped below.
        KeyConditionExpression: 'userId = :u AND ts BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':u': userId, ':from': range.from, ':to': range.to },
        ScanIndexForward: false,
      },
    );
    for await (const page of pages) {
      // byTime holds a user's own events only (impressions carry no `ts`): the budget is theirs.
      for (const event of ((page.Items ?? []) as EventRow[]).map(eventFromRow)) {
        if (event.timestamp < range.to) out.push(event);
        if (out.length >= max) return out;
      }
    }
    return out;
  }
}
