/**
 * Where ffmpeg and ffprobe live: FFMPEG_PATH / FFPROBE_PATH if set, else the static builds that the
 * npm packages @ffmpeg-installer/ffmpeg (ffmpeg 4.1) and @ffprobe-installer/ffprobe (5.2) pick for
 * this platform and architecture, so `npm install` alone is enough on a fresh machine.
 */
import { createRequire } from 'node:module';
import { getStringFromEnv } from '#platform/config.ts';

const require = createRequire(import.meta.url);

/** The binary a platform-selecting installer package provides; says what to set when it has none. */
function installed(packageName: string, variable: string): string {
  try {
    return (require(packageName) as { path: string }).path;
  } catch (error) {
    // The packages throw a plain string for an unsupported platform/architecture.
    throw new Error(
      `${packageName}: ${String(error instanceof Error ? error.message : error)}; set ${variable}`,
    );
  }
}

/** Absolute path of the ffmpeg binary to run. */
export function resolveFfmpegPath(): string {
  return (
    getStringFromEnv({ key: 'FFMPEG_PATH', defaultValue: '' }) ||
    installed('@ffmpeg-installer/ffmpeg', 'FFMPEG_PATH')
  );
}

/** Absolute path of the ffprobe binary to run. */
export function resolveFfprobePath(): string {
  return (
    getStringFromEnv({ key: 'FFPROBE_PATH', defaultValue: '' }) ||
    installed('@ffprobe-installer/ffprobe', 'FFPROBE_PATH')
  );
}
