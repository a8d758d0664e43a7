/** The events table's change stream (DynamoDB Streams records) as the events clients posted. */
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue as LambdaAttributeValue, DynamoDBStreamEvent } from 'aws-lambda';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { type EventRow, eventFromRow } from '#adapters/dynamodb/catalog-stores.ts';
import type { InteractionEvent } from '#domain/catalog/types.ts';

export interface StreamedEvent {
  /** The record's sequence number: what a partial batch failure reports. */
  sequenceNumber: string;
  event: InteractionEvent;
}

/**
 * The new events of a batch, in stream order. Only INSERTs: a replayed event (same user and event
 * id) overwrites its row as a MODIFY and is not counted again; removals (erasure, expiry) count nothing.
 */
export function newEventsOf(batch: DynamoDBStreamEvent): StreamedEvent[] {
  return batch.Records.flatMap((record) => {
    const image = record.dynamodb?.NewImage;
    if (record.eventName !== 'INSERT' || !image) return [];
    const row = unmarshall(
      image as Record<string, LambdaAttributeValue> as Record<string, AttributeValue>,
    ) as EventRow;
    return [{ sequenceNumber: record.dynamodb?.SequenceNumber ?? '', event: eventFromRow(row) }];
  });
}
