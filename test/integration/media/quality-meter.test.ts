/**
 * The quality function's ffmpeg adapter against s3rver: VMAF/PSNR/SSIM of a rendition over sampled
 * windows read through presigned URLs, for an HLS variant (per-window playlists of its segments) and
 * an MP4 (input seeks), and the faults it reports instead of scores.
 */
import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FfmpegQualityMeter } from '#adapters/media/ffmpeg-quality-meter.ts';
import { AnalysisFailedError, type QualityRequest } from '#domain/media/ports.ts';
import { planVmafSample } from '#domain/media/vmaf-sample.ts';
import { resolveFfmpegPath } from '#local/mediaconvert/binaries.ts';
import {
  type MediaHarness,
  sharedVideo,
  sharedVmafModel,
  skipWithoutSharedVideo,
  startMediaHarness,
} from './harness.ts';

const run = promisify(execFile);
const skipMedia = skipWithoutSharedVideo();
const prefix = 's3://media-bucket/assets/q1';

describe.skipIf(skipMedia)('FfmpegQualityMeter', () => {
  let harness: MediaHarness;
  let meter: FfmpegQualityMeter;
  let request: (renditionUri: string, sampleSec?: number) => QualityRequest;

  beforeAll(async () => {
    harness = await startMediaHarness();
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_S3: harness.s3Url,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
    });
    // A 120-line rendition of the anamorphic clip, encoded once into 2 s HLS segments and once as MP4.
    const ffmpeg = resolveFfmpegPath();
    const source = path.join(sharedVideo, 'bbb_prog_10s.mp4');
    const encode = [
      '-vf',
      'scale=214:120',
      '-c:v',
      'libx264',
      '-crf',
      '30',
      '-g',
      '48',
      '-sc_threshold',
      '0',
      '-an',
    ];
    const hls = path.join(harness.dir, 'hls');
    await run('mkdir', ['-p', hls]);
    await run(ffmpeg, [
      '-v',
      'error',
      '-i',
      source,
      ...encode,
      '-f',
      'hls',
      '-hls_time',
      '2',
      ...['-hls_segment_filename', path.join(hls, 'r_120p_%03d.ts')],
      path.join(hls, 'r_120p.m3u8'),
    ]);
    await run(ffmpeg, ['-v', 'error', '-i', source, ...encode, path.join(harness.dir, 'r_120p.mp4')]);
    for (const name of await readdir(hls))
      await harness.putFile('media-bucket', `assets/q1/hls/${name}`, path.join(hls, name));
    await harness.putFile('media-bucket', 'assets/q1/files/r_120p.mp4', path.join(harness.dir, 'r_120p.mp4'));
    await harness.put('media-bucket', 'assets/q1/files/broken.mp4', 'not a video at all');
    const sourceUri = await harness.putSharedClip('uploads/q1/clip.mp4');
    meter = new FfmpegQualityMeter(ffmpeg, sharedVmafModel);
    request = (renditionUri, sampleSec = 4) => ({
      sourceUri,
      renditionUri,
      displayWidth: 427,
      displayHeight: 240,
      windows: planVmafSample(9.917, sampleSec).windows,
    });
  }, 120_000);
  afterAll(async () => harness?.close());

  it('scores an HLS variant over two sampled windows exactly as the same encode in MP4', async () => {
    const hls = await meter.measure(request(`${prefix}/hls/r_120p.m3u8`));
    const mp4 = await meter.measure(request(`${prefix}/files/r_120p.mp4`));
    // Two windows of 2 s at 24 frames/s; aligned windows give the same scores through either path.
    expect(hls.frames).toBe(96);
    expect(mp4.frames).toBe(96);
    expect(Math.abs(hls.vmaf - mp4.vmaf)).toBeLessThan(0.5);
    expect(hls.vmaf).toBeGreaterThan(40);
    expect(hls.vmaf).toBeLessThan(100);
    expect(hls.psnrDb).toBeGreaterThan(25);
    expect(hls.ssim).toBeGreaterThan(0.8);
  }, 120_000);

  it('measures the whole clip when the sample is longer than it', async () => {
    const whole = await meter.measure(request(`${prefix}/files/r_120p.mp4`, 60));
    expect(whole.frames).toBeGreaterThanOrEqual(237);
    expect(whole.vmaf).toBeGreaterThan(40);
  }, 120_000);

  it('says which rendition is missing from S3, and fails unreadable bytes, instead of scoring', async () => {
    await expect(meter.measure(request(`${prefix}/hls/gone.m3u8`))).rejects.toThrow(
      new AnalysisFailedError(`${prefix}/hls/gone.m3u8 is missing from S3`),
    );
    await expect(meter.measure(request(`${prefix}/files/gone.mp4`))).rejects.toThrow(
      /gone\.mp4 is missing from S3/,
    );
    await expect(meter.measure(request(`${prefix}/files/broken.mp4`))).rejects.toBeInstanceOf(
      AnalysisFailedError,
    );
  }, 120_000);

  it('fails with the reason when the model file is not there', async () => {
    const noModel = new FfmpegQualityMeter(resolveFfmpegPath(), path.join(harness.dir, 'no-such-model.pkl'));
    await expect(noModel.measure(request(`${prefix}/files/r_120p.mp4`))).rejects.toBeInstanceOf(
      AnalysisFailedError,
    );
  }, 120_000);
});
