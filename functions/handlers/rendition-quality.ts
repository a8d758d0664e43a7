/** EventBridge "MediaConvert Job State Change" (COMPLETE): measures the renditions' VMAF, PSNR and SSIM. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import middy from '@middy/core';
import { DynamoAssetStore } from '#adapters/media/dynamo-asset-store.ts';
import { FfmpegQualityMeter } from '#adapters/media/ffmpeg-quality-meter.ts';
import { interpretJobEvent, type JobStateChangeEvent } from '#adapters/media/mediaconvert-job-events.ts';
import { RenditionQuality } from '#domain/media/rendition-quality.ts';
import { logger, withObservability } from '#edge/observability.ts';
import { bucketNameFromEnv, readSetting, tableNameFromEnv } from '#platform/config.ts';

const modelPath = readSetting('MEDIA_VMAF_MODEL_PATH');
/** The model's name, or why there is none (checked once: the layer does not change under a container). */
function vmafModel(): { name: string } | { missing: string } {
  if (!modelPath) return { missing: 'no VMAF model is configured (MEDIA_VMAF_MODEL_PATH)' };
  if (!existsSync(modelPath))
    return { missing: `the VMAF model MEDIA_VMAF_MODEL_PATH names does not exist: ${modelPath}` };
  return { name: path.basename(modelPath) };
}

const quality = new RenditionQuality(
  {
    uploadsBucket: bucketNameFromEnv('uploads'),
    vmafModel: vmafModel(),
    sampleSec: readSetting('MEDIA_VMAF_SAMPLE_SEC'),
  },
  new DynamoAssetStore(tableNameFromEnv('assets')),
  new FfmpegQualityMeter(readSetting('FFMPEG_PATH'), modelPath),
);

export const handler = middy(async (event: JobStateChangeEvent) => {
  // AssetNotReadyYetError propagates: EventBridge retries the event once mediaEvents wrote READY.
  const outcome = await quality.onJobUpdate(interpretJobEvent(event));
  logger.info('rendition quality', { jobId: event.detail?.jobId, ...outcome });
  return outcome;
}).use(withObservability());
