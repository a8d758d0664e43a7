/** EventBridge "MediaConvert Job State Change": progress, outputs or failure onto the asset; READY makes the item playable. */
import middy from '@middy/core';
import { DynamoAssetStore } from '#adapters/media/dynamo-asset-store.ts';
import { DynamoPlayableItems } from '#adapters/media/dynamo-playable-items.ts';
import { interpretJobEvent, type JobStateChangeEvent } from '#adapters/media/mediaconvert-job-events.ts';
import { JobStateRecorder } from '#domain/media/job-state.ts';
import { logger, withObservability } from '#edge/observability.ts';
import { tableNameFromEnv } from '#platform/config.ts';

const jobStates = new JobStateRecorder(
  new DynamoAssetStore(tableNameFromEnv('assets')),
  new DynamoPlayableItems(tableNameFromEnv('items')),
);

export const handler = middy(async (event: JobStateChangeEvent) => {
  const outcome = await jobStates.record(interpretJobEvent(event));
  logger.info('job state change', { status: event.detail?.status, jobId: event.detail?.jobId, ...outcome });
  return outcome;
}).use(withObservability());
