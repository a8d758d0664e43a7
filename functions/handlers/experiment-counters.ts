/**
 * DynamoDB Streams on the events table: attributes each new impression, click and play and adds it
 * to its experiment's counters. Records are applied in order; on a failure the batch reports that
 * record, so the event source mapping retries from it (earlier ones are not applied twice, and a
 * re-applied one counts once: countEvent is idempotent).
 */
import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import {
  DynamoAttributionRecords,
  DynamoExperimentCounters,
} from '#adapters/experiments/dynamo-experiment-stores.ts';
import { newEventsOf } from '#adapters/experiments/event-stream.ts';
import { RecommendationIdKeySecret } from '#adapters/experiments/recommendation-id-key-secret.ts';
import { countEvent, type CountingDeps } from '#domain/experiments/counting.ts';
import { logger, withObservability } from '#edge/observability.ts';
import { readSetting, tableNameFromEnv } from '#platform/config.ts';

const windowHours = readSetting('ATTRIBUTION_WINDOW_HOURS');
const deps: CountingDeps = {
  key: new RecommendationIdKeySecret(readSetting('RECOMMENDATION_ID_KEY_SECRET')),
  records: new DynamoAttributionRecords(tableNameFromEnv('exposures'), windowHours * 3600),
  counters: new DynamoExperimentCounters(
    tableNameFromEnv('experimentCounters'),
    tableNameFromEnv('exposures'),
  ),
  windowMs: windowHours * 3_600_000,
};

export const handler = middy(async (batch: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  const outcomes: Record<string, number> = {};
  for (const { sequenceNumber, event } of newEventsOf(batch)) {
    try {
      const outcome = await countEvent(event, deps);
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    } catch (error) {
      logger.error('could not count an event; the stream retries from it', { eventId: event.eventId, error });
      return { batchItemFailures: [{ itemIdentifier: sequenceNumber }] };
    }
  }
  logger.info('events counted', { records: batch.Records.length, ...outcomes });
  return { batchItemFailures: [] };
}).use(withObservability());
