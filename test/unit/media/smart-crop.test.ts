import { describe, expect, it } from 'vitest';
import { timecodeOf, toJobSettings } from '#adapters/media/mediaconvert-job-settings.ts';
import { toSourceProbe } from '#adapters/media/mediaconvert-probe.ts';
import { planLadder } from '#domain/media/ladder.ts';
import {
  type CropPicture,
  cropWindows,
  croppedSource,
  type GreyFrame,
  planCrop,
  shotsFromCuts,
  type SubjectSample,
  subjectsInShot,
  windowJitter,
  windowSize,
} from '#domain/media/smart-crop.ts';
import { anamorphicProbe } from './probe-fixtures.ts';

const picture: CropPicture = { width: 1280, height: 720, frameRate: 25, frameCount: 250 };
/** Five samples a second over 10 s with the subject's centre given as a function of time. */
const samplesOf = (centre: (t: number) => number | undefined): SubjectSample[] =>
  Array.from({ length: 50 }, (_, i) => {
    const x = centre(i / 5);
    return { timeSec: i / 5, ...(x === undefined ? {} : { centreX: x / picture.width }) };
  });

describe('smart crop planning', () => {
  it('sizes windows at the full height with even sides, or at the full width when the picture is narrower', () => {
    expect(windowSize(picture, '9:16')).toEqual({ width: 406, height: 720 });
    expect(windowSize(picture, '1:1')).toEqual({ width: 720, height: 720 });
    expect(windowSize({ width: 405, height: 1080 }, '1:1')).toEqual({ width: 404, height: 404 });
  });

  it('turns scene cuts into shots and joins a flash shorter than half a second to the shot before', () => {
    expect(shotsFromCuts([4, 4.2, 7], picture)).toEqual([
      { startFrame: 0, endFrame: 100 },
      { startFrame: 100, endFrame: 175 },
      { startFrame: 175, endFrame: 250 },
    ]);
  });

  it('holds the window still on a subject that barely moves, centred on it', () => {
    const plan = planCrop(
      picture,
      [{ startFrame: 0, endFrame: 250 }],
      samplesOf((t) => 300 + 10 * Math.sin(t)),
      '9:16',
    );
    expect(plan.shots[0].motion).toBe('STATIONARY');
    const [window] = plan.shots[0].windows;
    expect(plan.shots[0].windows).toEqual([
      { startFrame: 0, endFrame: 250, x: window.x, y: 0, width: 406, height: 720 },
    ]);
    expect(Math.abs(window.x + window.width / 2 - 300)).toBeLessThanOrEqual(10);
    expect(windowJitter(plan)).toBe(0);
  });

  it('pans steadily with a travelling subject, in steps of half a second, without jumps', () => {
    // The subject crosses the picture; one sample in five is a distractor far to the right.
    const plan = planCrop(
      picture,
      [{ startFrame: 0, endFrame: 250 }],
      samplesOf((t) => (Math.round(t * 5) % 5 === 2 ? 1200 : 200 + 80 * t)),
      '9:16',
    );
    const [shot] = plan.shots;
    expect(shot.motion).toBe('PAN');
    expect(shot.windows).toHaveLength(20);
    for (let i = 1; i < shot.windows.length; i++) {
      const step = shot.windows[i].x - shot.windows[i - 1].x;
      // The subject moves 40 px per step: every step goes right, by about that.
      expect(step).toBeGreaterThanOrEqual(0);
      expect(step).toBeLessThan(70);
    }
    for (const window of shot.windows) {
      const t = (window.startFrame + window.endFrame) / 2 / picture.frameRate;
      const centre = 200 + 80 * t;
      expect(centre).toBeGreaterThanOrEqual(window.x);
      expect(centre).toBeLessThanOrEqual(window.x + window.width);
      expect(window.x % 2).toBe(0);
    }
    expect(windowJitter(plan)).toBeLessThan(5);
  });

  it('centres the window of a shot without a detectable subject and says so when no shot had one', () => {
    const shots = [
      { startFrame: 0, endFrame: 125 },
      { startFrame: 125, endFrame: 250 },
    ];
    const none = planCrop(
      picture,
      shots,
      samplesOf(() => undefined),
      '1:1',
    );
    expect(none.shots.map((s) => s.motion)).toEqual(['CENTRED', 'CENTRED']);
    expect(none.shots[0].windows[0].x).toBe(280);
    expect(none.fallback).toMatch(/no subject/);
    const half = planCrop(
      picture,
      shots,
      samplesOf((t) => (t < 5 ? undefined : 1000)),
      '1:1',
    );
    expect(half.shots.map((s) => s.motion)).toEqual(['CENTRED', 'STATIONARY']);
    // Kept inside the picture: a subject near the edge puts the window against it.
    expect(half.shots[1].windows[0].x).toBe(560);
    expect(half.fallback).toBeUndefined();
  });

  it('finds a moving block as the subject and ignores a small fast distractor', () => {
    const frames: GreyFrame[] = Array.from({ length: 15 }, (_, i) => {
      const width = 160;
      const height = 90;
      const pixels = new Uint8Array(width * height).fill(60);
      const block = 20 + 3 * i;
      const distractor = (i * 37) % 150;
      for (let y = 30; y < 70; y++) for (let x = block; x < block + 12; x++) pixels[y * width + x] = 220;
      for (let y = 2; y < 6; y++)
        for (let x = distractor; x < distractor + 4; x++) pixels[y * width + x] = 255;
      return { timeSec: i / 5, width, height, pixels };
    });
    const subjects = subjectsInShot(frames, 51 / 160);
    const found = subjects.filter((s) => s.centreX !== undefined);
    expect(found.length).toBeGreaterThan(10);
    for (const sample of found) {
      const i = Math.round(sample.timeSec * 5);
      expect(Math.abs(sample.centreX! * 160 - (26 + 3 * i))).toBeLessThan(12);
    }
    // Nothing moves: no subject at all.
    const still = frames.map((frame) => ({ ...frame, pixels: frames[0].pixels }));
    expect(subjectsInShot(still, 51 / 160).every((s) => s.centreX === undefined)).toBe(true);
  });
});

describe('the crop job', () => {
  it('writes frame timecodes HH:MM:SS:FF from 0 s', () => {
    expect(timecodeOf(0, 25)).toBe('00:00:00:00');
    expect(timecodeOf(3 * 3600 * 25 + 61 * 25 + 24, 25)).toBe('03:01:01:24');
    expect(timecodeOf(30, 29.97)).toBe('00:00:01:00');
  });

  it('makes one input per window with its clipping (end frame included) and crop rectangle', () => {
    const source = toSourceProbe(anamorphicProbe);
    const plan = planCrop(
      { width: 1280, height: 720, frameRate: 25, frameCount: 250 },
      [{ startFrame: 0, endFrame: 250 }],
      samplesOf((t) => 200 + 80 * t),
      '9:16',
    );
    const job: any = toJobSettings(
      {
        assetId: 'a1',
        inputUri: 's3://uploads/a1.mp4',
        outputPrefix: 's3://media/assets/a1/9x16/',
        plan: planLadder(croppedSource(source, plan)),
        crop: { aspect: '9:16', frameRate: 25, windows: cropWindows(plan) },
      },
      { queueArn: 'Default', roleArn: 'arn:aws:iam::1:role/mc' },
    );
    const inputs = job.Settings.Inputs;
    expect(inputs).toHaveLength(20);
    expect(inputs[1]).toMatchObject({
      FileInput: 's3://uploads/a1.mp4',
      // Steps of 13 frames (half a second at 25 fps, rounded).
      InputClippings: [{ StartTimecode: '00:00:00:13', EndTimecode: '00:00:01:00' }],
      Crop: { Y: 0, Width: 406, Height: 720 },
    });
    // No rendition larger than the window.
    for (const output of job.Settings.OutputGroups[0].Outputs) {
      expect(output.VideoDescription.Width).toBeLessThanOrEqual(406);
      expect(output.VideoDescription.Height).toBeLessThanOrEqual(720);
      expect(output.VideoDescription.Height / output.VideoDescription.Width).toBeCloseTo(16 / 9, 1);
    }
  });
});
