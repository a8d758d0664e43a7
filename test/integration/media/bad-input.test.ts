/**
 * Bad uploads and faults on the local platform, each ending in a clear 4xx or a FAILED asset with
 * its reason, never a 5xx or a job left hanging: a clip of one frame, a file without video, a
 * 10-hour clip (refused by policy before any transcoding), a master deleted while its job waits,
 * and a transcode that exceeds its time. The clips are generated with ffmpeg's lavfi sources.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { CancelJobCommand, CreateJobCommand } from '@aws-sdk/client-mediaconvert';
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveFfmpegPath } from '#local/mediaconvert/binaries.ts';
import { localS3Client } from '#local/mediaconvert/storage.ts';
import { startTestPlatform, type TestPlatform } from '../../support/platform.ts';
import { sharedVideo, skipWithoutSharedVideo, startMediaHarness } from './harness.ts';
import { mp4Job } from './output-checks.ts';
import { type VideoClient, videoClient } from './video-platform.ts';

const run = promisify(execFile);
const skipMedia = skipWithoutSharedVideo();

/** Encodes an ffmpeg lavfi source into `file` (`args` choose the codecs and duration). */
async function generate(file: string, source: string, args: string[]): Promise<Buffer> {
  await run(resolveFfmpegPath(), ['-v', 'error', '-y', '-f', 'lavfi', '-i', source, ...args, file]);
  return readFile(file);
}

describe.skipIf(skipMedia)('bad uploads and faults end in a clear answer', () => {
  let platform: TestPlatform;
  let videos: VideoClient;
  let dir: string;
  beforeAll(async () => {
    platform = await startTestPlatform({
      mediaConvert: true,
      env: { MEDIA_MAX_SHORT_SIDE: '240', MEDIA_MAX_DURATION_SEC: '3600', MEDIA_SEGMENT_SEC: '2' },
    });
    videos = videoClient(platform);
    dir = await mkdtemp(path.join(os.tmpdir(), 'marquee-bad-input-'));
  });
  afterAll(async () => {
    videos?.close();
    await platform?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('makes a READY video of a one-frame clip: one rendition, one thumbnail, the poster', async () => {
    const bytes = await generate(path.join(dir, 'one-frame.mp4'), 'testsrc=s=320x240:r=25:d=0.04', [
      '-c:v',
      'libx264',
    ]);
    const { assetId } = await videos.upload('one-frame.mp4', bytes);
    const video = await videos.waitForSettled(assetId);
    expect(video.status).toBe('READY');
    expect(video.source.durationSec).toBeCloseTo(0.04, 2);
    expect(video.outputs.renditions).toHaveLength(1);
    expect(video.outputs.thumbnails).toHaveLength(1);
    expect(video.outputs.poster).toMatch(/_poster\.0000000\.jpg$/);
    // No model configured on this platform: the asset says why it has no VMAF.
    expect(video.outputs.quality.vmafMissing).toMatch(/no VMAF model is configured .*MEDIA_VMAF_MODEL_PATH/);
  });

  it('fails a file with sound but no picture as NOT_A_VIDEO, starting no job', async () => {
    const bytes = await generate(path.join(dir, 'sine.mp4'), 'sine=f=440:d=3', ['-c:a', 'aac']);
    const { assetId } = await videos.upload('song.mp4', bytes);
    const video = await videos.waitForSettled(assetId);
    expect(video.failure).toEqual({ code: 'NOT_A_VIDEO', reason: 'the uploaded file has no video track' });
    expect(video.source.audio).toMatchObject({ channels: 1 });
    expect(await videos.jobsOf(assetId)).toHaveLength(0);
  });

  it('refuses a 10-hour clip by policy before transcoding, naming the limit', async () => {
    // One frame every 10 minutes for 10 hours: a few kilobytes that promise 36,000 s of video.
    const bytes = await generate(path.join(dir, 'ten-hours.mp4'), 'color=c=gray:s=320x240:r=1/600', [
      ...['-t', '36000', '-c:v', 'libx264', '-preset', 'ultrafast'],
    ]);
    const { assetId } = await videos.upload('ten-hours.mp4', bytes);
    const video = await videos.waitForSettled(assetId);
    expect(video.failure).toEqual({
      code: 'TOO_LONG',
      reason: 'the video lasts 36000 s; the limit is 3600 s',
    });
    expect(await videos.jobsOf(assetId)).toHaveLength(0);
  });

  it('fails the asset with the reason when its master is deleted while the job waits', async () => {
    // A job ahead in the queue (the endpoint runs one at a time) holds this one until it is canceled.
    const s3 = localS3Client(platform.endpoints.s3);
    const uploadsBucket = platform.names.UPLOADS_BUCKET;
    const blockerInput = `s3://${uploadsBucket}/blocker/bunny.webm`;
    await s3.send(
      new PutObjectCommand({
        Bucket: uploadsBucket,
        Key: 'blocker/bunny.webm',
        Body: await readFile(path.join(sharedVideo, 'big_buck_bunny_0_30.webm')),
      }),
    );
    const blocker = await videos.mediaConvert.send(
      new CreateJobCommand(
        mp4Job([{ FileInput: blockerInput }], `s3://${platform.names.MEDIA_BUCKET}/blocker/`),
      ),
    );
    const { assetId, fields } = await videos.upload(
      'deleted.mp4',
      await readFile(path.join(sharedVideo, 'bbb_prog_10s.mp4')),
    );
    expect(await videos.jobsOf(assetId)).toEqual([expect.objectContaining({ Status: 'SUBMITTED' })]);
    await s3.send(new DeleteObjectCommand({ Bucket: uploadsBucket, Key: fields.key }));
    await videos.mediaConvert.send(new CancelJobCommand({ Id: blocker.Job!.Id }));
    const video = await videos.waitForSettled(assetId);
    expect(video.status).toBe('FAILED');
    expect(video.failure).toMatchObject({
      code: '1010',
      reason: expect.stringMatching(/^Unable to open input file/),
    });
    s3.destroy();
  });

  it('fails a transcode that exceeds its time instead of leaving the job running', async () => {
    const harness = await startMediaHarness({ transcodeTimeoutMs: () => 200 });
    try {
      const input = await harness.putSharedClip('slow/clip.webm', 'big_buck_bunny_0_30.webm');
      const { Job } = await harness.mediaConvert.send(
        new CreateJobCommand(mp4Job([{ FileInput: input }], 's3://media-bucket/slow/')),
      );
      const final = await harness.settled(Job!.Id!);
      expect(final.detail).toMatchObject({
        status: 'ERROR',
        errorCode: 1999,
        errorMessage: 'Transcoding did not finish within 0.2 s',
      });
    } finally {
      await harness.close();
    }
  });
});
