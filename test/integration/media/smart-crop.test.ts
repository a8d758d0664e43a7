/**
 * Smart crop end to end on the local MediaConvert endpoint: a generated clip with a known moving
 * subject is analysed with ffmpeg (scene cuts, motion energy), planned into 9:16 windows, and
 * transcoded by ONE job whose inputs are the windows (input clippings + crop). The rendition must
 * have the window's aspect and show the subject: its orange block stays inside the picture.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { CreateJobCommand } from '@aws-sdk/client-mediaconvert';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FfmpegVideoAnalyzer } from '#adapters/media/ffmpeg-analyzer.ts';
import { toJobSettings } from '#adapters/media/mediaconvert-job-settings.ts';
import { defaultLadderConfig, planLadder } from '#domain/media/ladder.ts';
import type { SourceProbe } from '#domain/media/probe.ts';
import { cropWindows, croppedSource, planSmartCrop, windowAt } from '#domain/media/smart-crop.ts';
import { resolveFfmpegPath } from '#local/mediaconvert/binaries.ts';
import {
  CLIP,
  clipFrames,
  subjectCentreAt,
  writeMovingSubjectClip,
} from '../../support/moving-subject-clip.ts';
import { type MediaHarness, startMediaHarness } from './harness.ts';
import { downloadPrefix, probeStreams, ROLE } from './output-checks.ts';

const run = promisify(execFile);

/** What MediaConvert's Probe says about the generated clip, in the domain's terms. */
const generatedSource: SourceProbe = {
  container: 'MP4',
  durationSec: clipFrames() / CLIP.frameRate,
  sizeBytes: 1,
  video: {
    codec: 'H_264',
    storedWidth: CLIP.width,
    storedHeight: CLIP.height,
    displayWidth: CLIP.width,
    displayHeight: CLIP.height,
    displayAspect: CLIP.width / CLIP.height,
    rotationDeg: 0,
    sampleAspectRatio: { num: 1, den: 1 },
    frameRate: CLIP.frameRate,
    bitDepth: 8,
    bitRateBps: 0,
    dynamicRange: 'SDR',
  },
  audioTrackCount: 0,
  dataTrackCount: 0,
};

/** Horizontal centre (pixels) of the orange pixels in one decoded frame of the rendition, or undefined. */
async function orangeCentreAt(file: string, atSec: number, width: number, height: number) {
  const { stdout } = await run(
    resolveFfmpegPath(),
    [
      '-v',
      'error',
      '-ss',
      String(atSec),
      '-i',
      file,
      '-frames:v',
      '1',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      '-',
    ],
    { encoding: 'buffer', maxBuffer: 16 * 1024 * 1024 },
  );
  let sum = 0;
  let count = 0;
  for (let p = 0; p < width * height; p++) {
    const [r, g, b] = [stdout[3 * p], stdout[3 * p + 1], stdout[3 * p + 2]];
    // The subject is 0xff7f00; the muted background never reaches this saturation.
    if (r > 200 && g > 90 && g < 170 && b < 60) {
      sum += p % width;
      count++;
    }
  }
  return count > 50 ? sum / count : undefined;
}

describe('smart crop through the local MediaConvert endpoint', () => {
  let harness: MediaHarness;
  beforeAll(async () => {
    harness = await startMediaHarness();
  });
  afterAll(async () => harness?.close());

  it('makes a 9:16 rendition whose window follows the subject across shots', async () => {
    const clip = path.join(harness.dir, 'moving-subject.mp4');
    await writeMovingSubjectClip(resolveFfmpegPath(), clip);
    const inputUri = await harness.putFile('uploads-bucket', 'uploads/crop/moving-subject.mp4', clip);
    const picture = {
      width: CLIP.width,
      height: CLIP.height,
      frameRate: CLIP.frameRate,
      frameCount: clipFrames(),
    };
    const sampled = await new FfmpegVideoAnalyzer(resolveFfmpegPath()).sampleFrames(clip, picture);
    const plan = planSmartCrop(sampled, picture, '9:16');
    expect(plan.shots).toHaveLength(3);
    expect(plan.fallback).toBeUndefined();
    expect(plan).toMatchObject({ width: 202, height: 360 });
    const ladder = planLadder(croppedSource(generatedSource, plan), {
      ...defaultLadderConfig,
      rungs: defaultLadderConfig.rungs.filter((rung) => rung.shortSide <= 240),
    });
    const windows = cropWindows(plan);
    const job = toJobSettings(
      {
        assetId: 'crop',
        inputUri,
        outputPrefix: 's3://media-bucket/assets/crop/9x16/',
        plan: ladder,
        crop: { aspect: '9:16', frameRate: CLIP.frameRate, windows },
      },
      { queueArn: 'Default', roleArn: ROLE },
    );
    expect(job.Settings!.Inputs).toHaveLength(windows.length);
    const { Job } = await harness.mediaConvert.send(new CreateJobCommand(job));
    const final = await harness.settled(Job!.Id!);
    expect(final.detail.status).toBe('COMPLETE');

    const out = path.join(harness.dir, 'out');
    const keys = await downloadPrefix(harness, 's3://media-bucket/assets/crop/9x16/', out);
    const mp4 = keys.find((key) => key.endsWith('.mp4'))!;
    const file = path.join(out, mp4.slice('assets/crop/9x16/'.length));
    const [video] = await probeStreams(file);
    // Never upscaled: the window (202x360) is smaller than every standard rung, so it keeps its size.
    expect(video).toMatchObject({ codec_type: 'video', width: 202, height: 360 });
    // The subject's true centre, inside the planned window at every frame but a few around steps...
    let inside = 0;
    for (let frame = 0; frame < picture.frameCount; frame++) {
      const window = windowAt(plan, frame)!;
      const centre = subjectCentreAt(frame);
      if (centre >= window.x && centre <= window.x + window.width) inside++;
    }
    expect(inside / picture.frameCount).toBeGreaterThan(0.9);
    // ...and visible in the rendition itself, in the middle of each shot.
    for (const atSec of [1.5, 4.5, 7.5]) {
      const seen = await orangeCentreAt(file, atSec, 202, 360);
      expect(seen, `subject at ${atSec} s`).toBeDefined();
    }
  });
});
