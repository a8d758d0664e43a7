/**
 * The video pipeline on the local platform: POST /videos, a browser-style PUT to the presigned URL,
 * the S3 trigger (ingest), the ffmpeg-backed MediaConvert endpoint, the EventBridge rule
 * (mediaEvents) and GET /videos. Ladders are capped at 240 lines to keep the tier quick.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ListJobsCommand, MediaConvertClient } from '@aws-sdk/client-mediaconvert';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeEventKey } from '#local/s3-notifications.ts';
import { loadFixture } from '../../support/fixtures.ts';
import { startTestPlatform, type TestPlatform } from '../../support/platform.ts';
import { sharedVideo, skipWithoutSharedVideo } from './harness.ts';

const skipMedia = skipWithoutSharedVideo();

describe.skipIf(skipMedia)('video pipeline on the local platform', () => {
  let platform: TestPlatform;
  let mediaConvert: MediaConvertClient;

  beforeAll(async () => {
    platform = await startTestPlatform({
      mediaConvert: true,
      env: {
        MEDIA_MAX_SHORT_SIDE: '240',
        MEDIA_MAX_DURATION_SEC: '20',
        MEDIA_SEGMENT_SEC: '2',
        MEDIA_THUMBNAIL_INTERVAL_SEC: '3',
      },
    });
    mediaConvert = new MediaConvertClient({ endpoint: platform.endpoints.mediaconvert, region: 'us-east-1' });
  });
  afterAll(async () => {
    mediaConvert?.destroy();
    await platform?.stop();
  });

  /** POST /videos then PUT the bytes to the presigned URL, as a browser would. */
  async function upload(filename: string, bytes: Uint8Array | string, extra: Record<string, string> = {}) {
    const created = await platform.api('POST', '/videos', { filename, contentType: 'video/mp4', ...extra });
    expect(created.status).toBe(201);
    const put = await fetch(created.body.uploadUrl, {
      method: 'PUT',
      headers: created.body.headers,
      body: typeof bytes === 'string' ? bytes : Buffer.from(bytes),
    });
    expect(put.status).toBe(200);
    await platform.settle();
    return created.body as { assetId: string; uploadUrl: string; expiresAt: string };
  }

  async function waitForSettled(assetId: string, timeoutMs = 90_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await platform.settle();
      const { body } = await platform.api('GET', `/videos/${assetId}`);
      if (body.status === 'READY' || body.status === 'FAILED') return body;
      if (Date.now() > deadline)
        throw new Error(`asset ${assetId} still ${body.status} after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  async function jobsOf(assetId: string) {
    const { Jobs = [] } = await mediaConvert.send(new ListJobsCommand({ MaxResults: 20 }));
    return Jobs.filter((job) => job.UserMetadata?.assetId === assetId);
  }

  let readyAssetId = '';

  it('turns an upload into a READY asset with outputs and quality, and makes its item playable', async () => {
    const item = await platform.api('PUT', '/items/bbb-film', {
      title: 'Big Buck Bunny',
      genres: ['Animation'],
    });
    expect(item.status).toBe(200);
    expect(item.body.playable).toBe(false);
    const bytes = await readFile(path.join(sharedVideo, 'bbb_prog_10s.mp4'));
    const { assetId, uploadUrl } = await upload('Bunny Clip (1).MP4', bytes, {
      itemId: 'bbb-film',
      title: 'Bunny',
    });
    readyAssetId = assetId;
    const url = new URL(uploadUrl);
    expect(url.pathname).toContain(`/uploads/${assetId}/Bunny%20Clip%20%281%29.MP4`);
    expect(url.searchParams.get('X-Amz-Expires')).toBe('3600');
    const video = await waitForSettled(assetId);
    expect(video.status).toBe('READY');
    expect(video.source.video).toMatchObject({
      width: 427,
      height: 240,
      storedWidth: 320,
      sampleAspectRatio: '4:3',
    });
    expect(video.outputs.hlsMaster).toBe(
      `s3://${platform.names.MEDIA_BUCKET}/assets/${assetId}/hls/master.m3u8`,
    );
    expect(video.outputs.renditions).toHaveLength(1);
    expect(video.outputs.renditions[0]).toMatchObject({ width: 426, height: 240, codec: 'H_264' });
    expect(video.outputs.renditions[0].maxBitrateBps).toBeGreaterThan(0);
    expect(video.outputs.renditions[0].psnrDb).toBeGreaterThan(30);
    expect(video.outputs.renditions[0].ssim).toBeGreaterThan(0.9);
    expect(video.outputs.download.uri).toMatch(/_download\.mp4$/);
    expect(video.outputs.thumbnails).toHaveLength(4);
    expect(video.outputs.poster).toMatch(/_poster\.0000001\.jpg$/);
    const after = await platform.api('GET', '/items/bbb-film');
    expect(after.body.playable).toBe(true);
  });

  it('starts no second job for a duplicate notification of the same object version', async () => {
    expect(readyAssetId).not.toBe('');
    const before = await jobsOf(readyAssetId);
    expect(before).toHaveLength(1);
    const { body: asset } = await platform.api('GET', `/videos/${readyAssetId}`);
    const event = loadFixture('s3', 'object-created');
    const object = event.Records[0].s3.object;
    event.Records[0].s3.bucket.name = platform.names.UPLOADS_BUCKET;
    object.key = encodeEventKey(`uploads/${readyAssetId}/Bunny Clip (1).MP4`);
    object.size = asset.source.sizeBytes;
    // A notification S3 delivers twice: the first starts a new job for this object version, the second nothing.
    const first = (await platform.runtime.invoke('ingest', event)) as { outcomes: { outcome: string }[] };
    const second = (await platform.runtime.invoke('ingest', structuredClone(event))) as {
      outcomes: { outcome: string }[];
    };
    expect(first.outcomes[0].outcome).toBe('submitted');
    expect(second.outcomes[0].outcome).toBe('duplicate');
    expect(await jobsOf(readyAssetId)).toHaveLength(2);
    expect((await waitForSettled(readyAssetId)).status).toBe('READY');
    const third = (await platform.runtime.invoke('ingest', structuredClone(event))) as {
      outcomes: { outcome: string }[];
    };
    expect(third.outcomes[0].outcome).toBe('duplicate');
    expect(await jobsOf(readyAssetId)).toHaveLength(2);
  });

  it('fails empty, truncated, not-a-video and too-long uploads with readable reasons', async () => {
    const whole = await readFile(path.join(sharedVideo, 'bbb_prog_10s.mp4'));
    const empty = await upload('empty.mp4', '');
    const truncated = await upload('truncated.mp4', whole.subarray(0, Math.floor(whole.length * 0.4)));
    const text = await upload('notes.mp4', 'this is a text file, not a video\n');
    const long = await upload(
      'long.webm',
      await readFile(path.join(sharedVideo, 'big_buck_bunny_0_30.webm')),
    );
    const outcomes = Object.fromEntries(
      await Promise.all(
        Object.entries({ empty, truncated, text, long }).map(async ([name, { assetId }]) => [
          name,
          await waitForSettled(assetId),
        ]),
      ),
    );
    expect(outcomes.empty.failure).toEqual({ code: 'EMPTY', reason: 'the uploaded file is empty' });
    expect(outcomes.truncated.status).toBe('FAILED');
    expect(outcomes.truncated.failure.reason).toMatch(/not a video|could not be read|Unable to open/);
    expect(outcomes.text.failure.code).toBe('NOT_A_VIDEO');
    expect(outcomes.long.failure).toEqual({
      code: 'TOO_LONG',
      reason: 'the video lasts 30 s; the limit is 20 s',
    });
    for (const { assetId } of [empty, text, long]) expect(await jobsOf(assetId)).toHaveLength(0);
  });

  it('shows an asset whose upload has not arrived as UPLOADING', async () => {
    const created = await platform.api('POST', '/videos', {
      filename: 'later.mov',
      contentType: 'video/quicktime',
    });
    expect(created.status).toBe(201);
    expect(Date.parse(created.body.expiresAt) - Date.now()).toBeGreaterThan(3500_000);
    const { status, body } = await platform.api('GET', `/videos/${created.body.assetId}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      status: 'UPLOADING',
      filename: 'later.mov',
      contentType: 'video/quicktime',
    });
    expect(body.percent).toBeUndefined();
    expect(body.outputs).toBeUndefined();
  });

  it('lists videos by status, newest first, and validates the query', async () => {
    const failed = await platform.api('GET', '/videos?status=FAILED&limit=10');
    expect(failed.status).toBe(200);
    expect(failed.body.videos.length).toBeGreaterThanOrEqual(4);
    expect(failed.body.videos.every((v: { status: string }) => v.status === 'FAILED')).toBe(true);
    const created = failed.body.videos.map((v: { createdAt: string }) => v.createdAt);
    expect(created).toEqual([...created].sort().reverse());
    const paged = await platform.api('GET', '/videos?status=FAILED&limit=2');
    expect(paged.body.videos).toHaveLength(2);
    const next = await platform.api('GET', `/videos?status=FAILED&limit=2&cursor=${paged.body.cursor}`);
    expect(next.body.videos[0].assetId).not.toBe(paged.body.videos[0].assetId);
    const bad = await platform.api('GET', '/videos?status=DONE');
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('query.status');
    expect((await platform.api('GET', '/videos/no-such-asset')).status).toBe(404);
    const notVideo = await platform.api('POST', '/videos', {
      filename: 'notes.txt',
      contentType: 'text/plain',
    });
    expect(notVideo.status).toBe(400);
    expect(notVideo.body.errors.map((e: { field: string }) => e.field)).toEqual(['filename', 'contentType']);
  });
});
