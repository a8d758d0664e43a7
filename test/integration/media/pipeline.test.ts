/**
 * The video pipeline on the local platform: POST /videos, a browser-style form POST to the presigned form,
 * the S3 trigger (ingest), the ffmpeg-backed MediaConvert endpoint, the EventBridge rule
 * (mediaEvents) and GET /videos. Ladders are capped at 240 lines to keep the tier quick.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { GetJobCommand } from '@aws-sdk/client-mediaconvert';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveFfmpegPath } from '#local/mediaconvert/binaries.ts';
import { localS3Client } from '#local/mediaconvert/storage.ts';
import { encodeEventKey } from '#local/s3-notifications.ts';
import { loadFixture } from '../../support/fixtures.ts';
import { writeMovingSubjectClip } from '../../support/moving-subject-clip.ts';
import { startTestPlatform, type TestPlatform } from '../../support/platform.ts';
import { sharedVideo, sharedVmafModel, skipWithoutSharedVideo } from './harness.ts';
import { lavfiClip, meanPlanes } from './output-checks.ts';
import { type UploadForm, type VideoClient, videoClient } from './video-platform.ts';

const skipMedia = skipWithoutSharedVideo();
/** A limit the tests can read back from the form (the default is 5 GiB). */
const MAX_UPLOAD_BYTES = 50_000_000;

type IngestResult = { outcomes: { outcome: string; reason?: string }[] };
const ingested: { event: S3Event; result: IngestResult }[] = [];

describe.skipIf(skipMedia)('video pipeline on the local platform', () => {
  let platform: TestPlatform;
  let videos: VideoClient;

  beforeAll(async () => {
    platform = await startTestPlatform({
      mediaConvert: true,
      env: {
        MEDIA_MAX_SHORT_SIDE: '240',
        MEDIA_MAX_DURATION_SEC: '20',
        MEDIA_SEGMENT_SEC: '2',
        MEDIA_THUMBNAIL_INTERVAL_SEC: '3',
        MEDIA_MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES),
        MEDIA_VMAF_MODEL_PATH: sharedVmafModel,
      },
    });
    // Every S3 notification the platform delivers to ingest, with what ingest answered.
    const invoke = platform.runtime.invoke.bind(platform.runtime);
    platform.runtime.invoke = async (id, event, timeout) => {
      const result = await invoke(id, event, timeout);
      if (id === 'ingest')
        ingested.push({ event: structuredClone(event) as S3Event, result: result as IngestResult });
      return result;
    };
    videos = videoClient(platform);
  });
  afterAll(async () => {
    videos?.close();
    await platform?.stop();
  });

  const upload: VideoClient['upload'] = (...args) => videos.upload(...args);
  const postForm: VideoClient['postForm'] = (...args) => videos.postForm(...args);
  const waitForSettled: VideoClient['waitForSettled'] = (...args) => videos.waitForSettled(...args);
  const jobsOf: VideoClient['jobsOf'] = (...args) => videos.jobsOf(...args);

  let readyAssetId = '';
  let readyForm: UploadForm | undefined;

  it('turns an upload into a READY asset with outputs and quality, and makes its item playable', async () => {
    const item = await platform.api('PUT', '/items/bbb-film', {
      title: 'Big Buck Bunny',
      genres: ['Animation'],
    });
    expect(item.status).toBe(200);
    expect(item.body.playable).toBe(false);
    const bytes = await readFile(path.join(sharedVideo, 'bbb_prog_10s.mp4'));
    readyForm = await upload('Bunny Clip (1).MP4', bytes, { itemId: 'bbb-film', title: 'Bunny' });
    const { assetId } = readyForm;
    readyAssetId = assetId;
    expect(readyForm.fields.key).toBe(`uploads/${assetId}/Bunny Clip (1).MP4`);
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
    // Like for like: both figures describe the muxed stream, so the maximum is never below the average.
    for (const rendition of [...video.outputs.renditions, video.outputs.download]) {
      expect(rendition.maxBitrateBps).toBeGreaterThanOrEqual(rendition.averageBitrateBps);
      expect(rendition.videoMaxBitrateBps).toBeGreaterThan(0);
    }
    expect(video.outputs.renditions[0].psnrDb).toBeGreaterThan(30);
    expect(video.outputs.renditions[0].ssim).toBeGreaterThan(0.9);
    // VMAF v0.6.1 at the source's display size: the 240-line rendition of a 240-line source.
    expect(video.outputs.renditions[0].vmaf).toBeGreaterThan(60);
    expect(video.outputs.download.vmaf).toBeGreaterThan(60);
    // Measured by the quality function on the COMPLETE event, as in AWS: the transcoder reports none.
    expect(video.outputs.quality).toEqual({
      vmafStatus: 'MEASURED',
      vmafModel: 'vmaf_v0.6.1.pkl',
      vmafSample: 'the whole video (9.9 s)',
      flags: [],
    });
    expect(video.outputs.download.uri).toMatch(/_download\.mp4$/);
    expect(video.outputs.thumbnails).toHaveLength(4);
    expect(video.outputs.poster).toMatch(/_poster\.0000001\.jpg$/);
    const after = await platform.api('GET', '/items/bbb-film');
    expect(after.body.playable).toBe(true);
    // Smart colour measured the clip and left natural footage alone: no corrector in the job.
    expect(video.smartColour).toBe(true);
    expect(video.colour).toMatchObject({ findings: [], reason: expect.stringMatching(/left untouched/) });
    expect(video.colour.analysis.frames).toBe(12);
    expect(video.colour.correction).toBeUndefined();
    const [job] = await jobsOf(assetId);
    const { Job } = await videos.mediaConvert.send(new GetJobCommand({ Id: job.Id }));
    expect(JSON.stringify(Job?.Settings)).not.toContain('ColorCorrector');
  });

  it('corrects an under-exposed upload through the colour corrector, unless the upload turns it off', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'marquee-colour-'));
    try {
      // A test pattern at 40% of its light: dark, with no highlights.
      const dark = path.join(dir, 'dark.mp4');
      await lavfiClip(dark, 'testsrc2=size=320x240:rate=25:duration=3,lutyuv=y=val*0.4');
      const bytes = await readFile(dark);
      const corrected = await waitForSettled((await upload('dark.mp4', bytes)).assetId);
      expect(corrected.status).toBe('READY');
      expect(corrected.colour.findings).toContain('UNDEREXPOSED');
      expect(corrected.colour.correction.brightness).toBeGreaterThan(50);
      const untouched = await waitForSettled(
        (await upload('dark.mp4', bytes, { smartColour: false as never })).assetId,
      );
      expect(untouched.smartColour).toBe(false);
      expect(untouched.colour).toEqual({ findings: [], reason: 'smart colour was turned off at upload' });
      // The corrected MP4 is clearly brighter than the one made with smart colour off.
      const lumas = [];
      for (const video of [corrected, untouched]) {
        const file = path.join(dir, `${video.assetId}.mp4`);
        const [, bucket, key] = /^s3:\/\/([^/]+)\/(.+)$/.exec(video.outputs.download.uri)!;
        const s3 = localS3Client(platform.endpoints.s3);
        const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        await writeFile(file, await object.Body!.transformToByteArray());
        s3.destroy();
        lumas.push((await meanPlanes(file)).y);
      }
      expect(lumas[0] - lumas[1]).toBeGreaterThan(25);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('adds 9:16 and 1:1 renditions whose windows follow the subject once the video is READY', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'marquee-crop-'));
    try {
      const clip = path.join(dir, 'moving.mp4');
      await writeMovingSubjectClip(resolveFfmpegPath(), clip);
      const { assetId } = await upload('moving.mp4', await readFile(clip));
      expect((await waitForSettled(assetId)).status).toBe('READY');
      let video: any;
      for (const deadline = Date.now() + 90_000; Date.now() < deadline; ) {
        await platform.settle();
        video = (await platform.api('GET', `/videos/${assetId}`)).body;
        const crops = video.smartCrops;
        if (crops.length === 2 && crops.every((c: any) => c.status !== 'PROCESSING')) break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      const [vertical, square] = video.smartCrops;
      expect(vertical).toMatchObject({
        aspect: '9:16',
        status: 'READY',
        window: { width: 202, height: 360 },
      });
      expect(square).toMatchObject({ aspect: '1:1', status: 'READY', window: { width: 360, height: 360 } });
      expect(vertical.shots).toHaveLength(3);
      expect(vertical.shots.some((shot: any) => shot.motion !== 'CENTRED')).toBe(true);
      expect(vertical.fallback).toBeUndefined();
      // The ladder's rules on the window: 240 lines at most here, never above the window, 9:16 kept.
      for (const rendition of [...vertical.renditions, vertical.download]) {
        expect(rendition.aspect).toBe('9:16');
        expect(rendition.height).toBeLessThanOrEqual(360);
        expect(rendition.height / rendition.width).toBeCloseTo(16 / 9, 1);
      }
      expect(vertical.hlsMaster).toMatch(/crop-9x16\/hls\/master\.m3u8$/);
      expect(square.renditions.every((r: any) => r.aspect === '1:1' && r.width === r.height)).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('starts no second job for a duplicate notification, nor for a later upload to the same key', async () => {
    expect(readyAssetId).not.toBe('');
    const before = await platform.api('GET', `/videos/${readyAssetId}`);
    expect(await jobsOf(readyAssetId)).toHaveLength(1);
    // S3 delivers at least once: the notification that started the job, delivered again.
    const delivered = ingested.find(({ event }) =>
      decodeURIComponent(event.Records[0].s3.object.key).includes(readyAssetId),
    );
    expect(delivered?.result.outcomes[0].outcome).toBe('submitted');
    const again = (await platform.runtime.invoke(
      'ingest',
      structuredClone(delivered!.event),
    )) as IngestResult;
    expect(again.outcomes[0].outcome).toBe('duplicate');
    // The same form used again (it stays valid until it expires) with other bytes.
    const seen = ingested.length;
    await postForm(readyForm!, await readFile(path.join(sharedVideo, 'many_tracks.mp4')));
    const late = ingested.slice(seen).map(({ result }) => result.outcomes[0]);
    expect(late).toEqual([
      expect.objectContaining({
        outcome: 'refused',
        reason: expect.stringMatching(/is READY: only its first upload/),
      }),
    ]);
    // A notification of yet another object version under the key, as a crafted event.
    const event = loadFixture('s3', 'object-created');
    event.Records[0].s3.bucket.name = platform.names.UPLOADS_BUCKET;
    event.Records[0].s3.object.key = encodeEventKey(`uploads/${readyAssetId}/Bunny Clip (1).MP4`);
    const crafted = (await platform.runtime.invoke('ingest', event)) as IngestResult;
    expect(crafted.outcomes[0].outcome).toBe('refused');
    expect(await jobsOf(readyAssetId)).toHaveLength(1);
    const after = await platform.api('GET', `/videos/${readyAssetId}`);
    expect(after.body).toEqual(before.body);
  });

  it('hands out a form whose policy pins the key and Content-Type and bounds the size', async () => {
    const created = await platform.api('POST', '/videos', {
      filename: 'form.mov',
      contentType: 'video/quicktime',
    });
    expect(created.status).toBe(201);
    const form = created.body as UploadForm & { method: string; maxSizeBytes: number };
    expect(form).toMatchObject({ method: 'POST', maxSizeBytes: MAX_UPLOAD_BYTES });
    expect(form.fields).toMatchObject({
      key: `uploads/${form.assetId}/form.mov`,
      'Content-Type': 'video/quicktime',
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
    });
    expect(form.fields['X-Amz-Signature']).toMatch(/^[0-9a-f]{64}$/);
    const policy = JSON.parse(Buffer.from(form.fields.Policy, 'base64').toString('utf8'));
    expect(Math.abs(Date.parse(policy.expiration) - Date.parse(form.expiresAt))).toBeLessThan(2000);
    expect(policy.conditions).toEqual(
      expect.arrayContaining([
        { bucket: platform.names.UPLOADS_BUCKET },
        { key: `uploads/${form.assetId}/form.mov` },
        ['eq', '$Content-Type', 'video/quicktime'],
        ['content-length-range', 1, MAX_UPLOAD_BYTES],
      ]),
    );
    // s3rver ignores the policy and the signature (TOOLCHAIN.md), so refusing an oversized or
    // mistyped upload is S3's part and cannot be exercised here; the conditions above are what S3 checks.
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
