/** Playback configuration from the environment, read once per process by the function that signs. */
import type { PlaybackConfig } from '#domain/media/playback.ts';
import { ConfigError, readSetting } from '#platform/config.ts';
import { settings } from '#platform/declaration.ts';

/** Variables the deployment sets for a function that signs (infra in AWS, the platform locally). */
export const PLAYBACK_ENV = {
  baseUrl: settings.PLAYBACK_BASE_URL.env,
  signingKeySecret: settings.PLAYBACK_SIGNING_KEY_SECRET.env,
} as const;

export interface PlaybackSettings {
  playback: PlaybackConfig;
  /** Name or ARN of the Secrets Manager secret holding the CloudFront signing key. */
  signingKeySecret: string;
  /** How long a container reuses the key it read, seconds. */
  keyCacheSec: number;
}

/**
 * PLAYBACK_BASE_URL (the distribution's `https://<domain>`; locally the playback server's URL),
 * PLAYBACK_SIGNING_KEY_SECRET, PLAYBACK_URL_TTL_SEC (default 1 hour) and PLAYBACK_KEY_CACHE_SEC
 * (default 5 minutes).
 */
export function playbackSettingsFromEnv(): PlaybackSettings {
  const baseUrl = readSetting('PLAYBACK_BASE_URL').replace(/\/+$/, '');
  if (!/^https?:\/\/[^/?#*]+$/.test(baseUrl))
    throw new ConfigError(
      PLAYBACK_ENV.baseUrl,
      `must be an origin like https://d123.cloudfront.net, got '${baseUrl}'`,
    );
  return {
    playback: {
      baseUrl,
      urlTtlSec: readSetting('PLAYBACK_URL_TTL_SEC'),
    },
    signingKeySecret: readSetting('PLAYBACK_SIGNING_KEY_SECRET'),
    keyCacheSec: readSetting('PLAYBACK_KEY_CACHE_SEC'),
  };
}
