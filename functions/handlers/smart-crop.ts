/** EventBridge "MediaConvert Job State Change" (COMPLETE, ERROR): starts an asset's smart crops, records their jobs. */
import middy from '@middy/core';
import { ladderConfigFromEnv, mediaConvertTargetFromEnv } from '#adapters/media/config.ts';
import { DynamoAssetStore } from '#adapters/media/dynamo-asset-store.ts';
import { FfmpegVideoAnalyzer } from '#adapters/media/ffmpeg-analyzer.ts';
import { interpretJobEvent, type JobStateChangeEvent } from '#adapters/media/mediaconvert-job-events.ts';
import { MediaConvertTranscoder } from '#adapters/media/mediaconvert-transcoder.ts';
import { SmartCropRenditions } from '#domain/media/crop-renditions.ts';
import { logger, withObservability } from '#edge/observability.ts';
import { bucketNameFromEnv, readSetting, tableNameFromEnv } from '#platform/config.ts';

const crops = new SmartCropRenditions(
  {
    uploadsBucket: bucketNameFromEnv('uploads'),
    mediaBucket: bucketNameFromEnv('media'),
    ladder: ladderConfigFromEnv(),
  },
  new DynamoAssetStore(tableNameFromEnv('assets')),
  new MediaConvertTranscoder(mediaConvertTargetFromEnv()),
  new FfmpegVideoAnalyzer(readSetting('FFMPEG_PATH')),
);

export const handler = middy(async (event: JobStateChangeEvent) => {
  // AssetNotReadyYetError propagates: EventBridge retries the event once mediaEvents wrote READY.
  const outcome = await crops.onJobUpdate(interpretJobEvent(event));
  logger.info('smart crop', { status: event.detail?.status, jobId: event.detail?.jobId, ...outcome });
  return outcome;
}).use(withObservability());
