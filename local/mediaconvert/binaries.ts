/**
 * Where ffmpeg and ffprobe live: FFMPEG_PATH / FFPROBE_PATH if set, else the static builds bundled by
 * the npm packages @ffmpeg-installer/linux-x64 (ffmpeg 4.1) and @ffprobe-installer/linux-x64 (5.2), so
 * `npm install` alone is enough on a fresh machine.
 */
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

function bundled(packageName: string, binary: string): string {
  const manifest = require.resolve(`${packageName}/package.json`);
  return path.join(path.dirname(manifest), binary);
}

/** Absolute path of the ffmpeg binary to run. */
export function resolveFfmpegPath(): string {
  return process.env.FFMPEG_PATH || bundled('@ffmpeg-installer/linux-x64', 'ffmpeg');
}

/** Absolute path of the ffprobe binary to run. */
export function resolveFfprobePath(): string {
  return process.env.FFPROBE_PATH || bundled('@ffprobe-installer/linux-x64', 'ffprobe');
}
