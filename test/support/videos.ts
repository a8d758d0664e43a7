/** Videos through the local platform's real pipeline: POST /videos, the browser-style form POST, polling. */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { sharedDataDir } from './fixtures.ts';
import type { TestPlatform } from './platform.ts';

/**
 * The shared clips folder, when it holds `clip`. Missing, it fails the test file (so CI cannot pass
 * without the clips), unless a developer asked to skip with MARQUEE_SKIP_MEDIA_DATA=1 (said loudly):
 * then undefined. The one gate of every test that needs the clips.
 */
export function sharedVideoDir(clip = 'bbb_prog_10s.mp4'): string | undefined {
  const dir = sharedDataDir();
  const videos = dir ? path.join(dir, 'video') : undefined;
  if (videos && existsSync(path.join(videos, clip))) return videos;
  if (process.env.MARQUEE_SKIP_MEDIA_DATA === '1') {
    console.warn(
      `SKIPPED on request (MARQUEE_SKIP_MEDIA_DATA=1): no ../shared/data/video/${clip} beside this checkout`,
    );
    return undefined;
  }
  throw new Error(
    `../shared/data/video/${clip} is missing (set MARQUEE_SHARED_DATA, or MARQUEE_SKIP_MEDIA_DATA=1 to skip on purpose)`,
  );
}

/** Registers an asset and POSTs `bytes` with its presigned form (fields first); returns the asset id. */
export async function uploadVideo(
  platform: TestPlatform,
  filename: string,
  bytes: Uint8Array | string,
): Promise<string> {
  const created = await platform.api('POST', '/videos', { filename, contentType: 'video/mp4' });
  if (created.status !== 201) throw new Error(`POST /videos answered ${created.status}`);
  const form = new FormData();
  for (const [name, value] of Object.entries<string>(created.body.fields)) form.append(name, value);
  form.append('file', new Blob([typeof bytes === 'string' ? bytes : Buffer.from(bytes)]), filename);
  const posted = await fetch(created.body.uploadUrl, { method: 'POST', body: form });
  if (posted.status !== 204) throw new Error(`the upload POST answered ${posted.status}`);
  return created.body.assetId;
}

/** Uploads a shared clip. */
export const uploadClip = async (platform: TestPlatform, dir: string, clip: string) =>
  uploadVideo(platform, clip, await readFile(path.join(dir, clip)));

/** Polls GET /videos/{assetId} every 50 ms until its status is one of `statuses`; returns the video. */
export async function waitForStatus(
  platform: TestPlatform,
  assetId: string,
  statuses: string[],
  timeoutMs = 90_000,
): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await platform.api('GET', `/videos/${assetId}`);
    if (statuses.includes(body.status)) return body;
    if (Date.now() > deadline) throw new Error(`asset ${assetId} still ${body.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The small ladder the video tests use: one 240-line rung, 2 s segments, a short clip limit. */
export const SMALL_LADDER_ENV = {
  MEDIA_MAX_SHORT_SIDE: '240',
  MEDIA_MAX_DURATION_SEC: '40',
  MEDIA_SEGMENT_SEC: '2',
  MEDIA_THUMBNAIL_INTERVAL_SEC: '3',
};
