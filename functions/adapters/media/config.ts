/** Media configuration from the environment, read once per process by the media handlers. */
import { defaultLadderConfig, type LadderConfig } from '#domain/media/ladder.ts';
import { getBooleanFromEnv, getNumberFromEnv, getStringFromEnv } from '#platform/config.ts';

/** The ladder from MEDIA_* variables; defaults are the domain's. */
export function ladderConfigFromEnv(): LadderConfig {
  const maxShortSide = getNumberFromEnv({
    key: 'MEDIA_MAX_SHORT_SIDE',
    defaultValue: 1080,
    min: 64,
    max: 4320,
  });
  const rungs = defaultLadderConfig.rungs.filter((rung) => rung.shortSide <= maxShortSide);
  return {
    ...defaultLadderConfig,
    rungs: rungs.length > 0 ? rungs : [defaultLadderConfig.rungs[defaultLadderConfig.rungs.length - 1]],
    maxDurationSec: getNumberFromEnv({
      key: 'MEDIA_MAX_DURATION_SEC',
      defaultValue: defaultLadderConfig.maxDurationSec,
      min: 1,
    }),
    hevcTopRung: getBooleanFromEnv({ key: 'MEDIA_HEVC_TOP_RUNG', defaultValue: false }),
    loudnessTargetLkfs: getNumberFromEnv({
      key: 'MEDIA_LOUDNESS_TARGET_LKFS',
      defaultValue: -16,
      min: -59,
      max: -6,
    }),
    segmentSec: getNumberFromEnv({
      key: 'MEDIA_SEGMENT_SEC',
      defaultValue: defaultLadderConfig.segmentSec,
      min: 1,
      max: 30,
    }),
    gopSec: getNumberFromEnv({
      key: 'MEDIA_GOP_SEC',
      defaultValue: defaultLadderConfig.gopSec,
      min: 0.5,
      max: 10,
    }),
    thumbnailIntervalSec: getNumberFromEnv({
      key: 'MEDIA_THUMBNAIL_INTERVAL_SEC',
      defaultValue: defaultLadderConfig.thumbnailIntervalSec,
      min: 1,
    }),
  };
}

/** Queue and service role for CreateJob (the Media stack sets both; so does the local platform). */
export function mediaConvertTargetFromEnv(): { queueArn: string; roleArn: string } {
  return {
    queueArn: getStringFromEnv({ key: 'MEDIACONVERT_QUEUE_ARN' }),
    roleArn: getStringFromEnv({ key: 'MEDIACONVERT_ROLE_ARN' }),
  };
}
