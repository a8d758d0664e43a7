/** Media configuration from the environment, read once per process by the media handlers. */
import { defaultLadderConfig, type LadderConfig } from '#domain/media/ladder.ts';
import { readSetting } from '#platform/config.ts';

/** The ladder from the MEDIA_* settings (their declared defaults are the domain's). */
export function ladderConfigFromEnv(): LadderConfig {
  const maxShortSide = readSetting('MEDIA_MAX_SHORT_SIDE');
  const rungs = defaultLadderConfig.rungs.filter((rung) => rung.shortSide <= maxShortSide);
  return {
    ...defaultLadderConfig,
    rungs: rungs.length > 0 ? rungs : [defaultLadderConfig.rungs[defaultLadderConfig.rungs.length - 1]],
    maxDurationSec: readSetting('MEDIA_MAX_DURATION_SEC'),
    hevcTopRung: readSetting('MEDIA_HEVC_TOP_RUNG'),
    loudnessTargetLkfs: readSetting('MEDIA_LOUDNESS_TARGET_LKFS'),
    segmentSec: readSetting('MEDIA_SEGMENT_SEC'),
    gopSec: readSetting('MEDIA_GOP_SEC'),
    thumbnailIntervalSec: readSetting('MEDIA_THUMBNAIL_INTERVAL_SEC'),
  };
}

/** Queue and service role for CreateJob (the Media stack sets both; so does the local platform). */
export function mediaConvertTargetFromEnv(): { queueArn: string; roleArn: string } {
  return {
    queueArn: readSetting('MEDIACONVERT_QUEUE_ARN'),
    roleArn: readSetting('MEDIACONVERT_ROLE_ARN'),
  };
}
