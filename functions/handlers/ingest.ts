/** S3 ObjectCreated on the uploads bucket: probe the master, plan its ladder, submit the MediaConvert job. */
import middy from '@middy/core';
import type { S3Event } from 'aws-lambda';
import { ladderConfigFromEnv, mediaConvertTargetFromEnv } from '#adapters/media/config.ts';
import { DynamoAssetStore } from '#adapters/media/dynamo-asset-store.ts';
import { FfmpegVideoAnalyzer } from '#adapters/media/ffmpeg-analyzer.ts';
import { MediaConvertTranscoder } from '#adapters/media/mediaconvert-transcoder.ts';
import { VideoIngest } from '#domain/media/ingest.ts';
import { decodeS3EventKey } from '#domain/media/upload-key.ts';
import { logger, withObservability } from '#edge/observability.ts';
import { bucketNameFromEnv, readSetting, tableNameFromEnv } from '#platform/config.ts';

const ingest = new VideoIngest(
  { mediaBucket: bucketNameFromEnv('media'), ladder: ladderConfigFromEnv() },
  new DynamoAssetStore(tableNameFromEnv('assets')),
  new MediaConvertTranscoder(mediaConvertTargetFromEnv()),
  new FfmpegVideoAnalyzer(readSetting('FFMPEG_PATH')),
);

export const handler = middy(async (event: S3Event) => {
  const outcomes = [];
  for (const record of event.Records ?? []) {
    const outcome = await ingest.ingest({
      bucket: record.s3.bucket.name,
      key: decodeS3EventKey(record.s3.object.key),
      size: record.s3.object.size,
      eTag: record.s3.object.eTag,
      sequencer: record.s3.object.sequencer,
    });
    // The outcome names the asset; the key is not logged (it carries the uploader's file name).
    logger.info('ingest', { ...outcome });
    outcomes.push(outcome);
  }
  return { outcomes };
}).use(withObservability());
