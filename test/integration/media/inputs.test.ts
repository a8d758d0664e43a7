/**
 * Several inputs in one job, input clippings and input crop on the local endpoint, checked frame by
 * frame: the sources are generated clips whose brightness says which frame (or which half of the
 * picture) a frame of the output came from.
 */
import path from 'node:path';
import { CreateJobCommand, type Input } from '@aws-sdk/client-mediaconvert';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MediaHarness, startMediaHarness } from './harness.ts';
import {
  downloadPrefix,
  frameCounterClip,
  frameLumas,
  lavfiClip,
  meanPlanes,
  mp4Job as mp4JobSettings,
  ROLE,
} from './output-checks.ts';

/** One MP4 output, near-lossless (QVBR 10) so brightness survives the encode. */
const mp4Job = (inputs: Input[], destination: string) =>
  new CreateJobCommand(mp4JobSettings(inputs, destination, 10));

describe('inputs, clippings and crop on the local endpoint', () => {
  let harness: MediaHarness;
  let counter: string;
  let halves: string;
  beforeAll(async () => {
    harness = await startMediaHarness();
    const counterFile = path.join(harness.dir, 'counter.mp4');
    await frameCounterClip(counterFile, 5);
    counter = await harness.putFile('uploads-bucket', 'inputs/counter.mp4', counterFile);
    // Left half white (luma 235), right half black (16).
    const halvesFile = path.join(harness.dir, 'halves.mp4');
    await lavfiClip(halvesFile, "nullsrc=s=128x128:r=24:d=2,geq=lum='if(lt(X,64),235,16)':cb=128:cr=128");
    halves = await harness.putFile('uploads-bucket', 'inputs/halves.mp4', halvesFile);
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('strings clippings and inputs together in order, end frames included, the crop filling the picture', async () => {
    const { Job } = await harness.mediaConvert.send(
      mp4Job(
        [
          {
            FileInput: counter,
            TimecodeSource: 'ZEROBASED',
            InputClippings: [
              { StartTimecode: '00:00:01:00', EndTimecode: '00:00:01:23' },
              { StartTimecode: '00:00:04:00' },
            ],
          },
          { FileInput: halves, TimecodeSource: 'ZEROBASED', Crop: { X: 0, Y: 0, Width: 64, Height: 64 } },
        ],
        's3://media-bucket/joined/',
      ),
    );
    const final = await harness.settled(Job!.Id!);
    expect(final.detail.status).toBe('COMPLETE');
    const local = path.join(harness.dir, 'check-joined');
    await downloadPrefix(harness, 's3://media-bucket/joined/', local);
    const lumas = await frameLumas(path.join(local, 'counter.mp4'));
    const frames = lumas.slice(0, 48).map((y) => Math.round((y - 16) / 1.5));
    const expected = [
      ...Array.from({ length: 24 }, (_, i) => 24 + i),
      ...Array.from({ length: 24 }, (_, i) => 96 + i),
    ];
    expect(Math.max(...frames.map((frame, i) => Math.abs(frame - expected[i])))).toBeLessThanOrEqual(1);
    // Then the second input: 2 s of a 64x64 square of its white left half, scaled to fill the
    // 128x128 picture (luma 235; the uncropped picture would average 125).
    const cropped = lumas.slice(48);
    expect(cropped).toHaveLength(48);
    expect(Math.min(...cropped)).toBeGreaterThan(225);
  });

  it("applies an output's colour corrector: brighter, flatter colour, and a neutral one changes nothing", async () => {
    const clip = path.join(harness.dir, 'purple.mp4');
    await lavfiClip(clip, 'color=c=0x604090:s=64x64:r=24:d=1');
    const input = await harness.putFile('uploads-bucket', 'inputs/purple.mp4', clip);
    const corrected = (NameModifier: string, ColorCorrector: Record<string, number>) => ({
      NameModifier,
      ContainerSettings: { Container: 'MP4' as const },
      VideoDescription: {
        VideoPreprocessors: { ColorCorrector },
        CodecSettings: {
          Codec: 'H_264' as const,
          H264Settings: { RateControlMode: 'QVBR' as const, QvbrSettings: { QvbrQualityLevel: 10 } },
        },
      },
    });
    const { Job } = await harness.mediaConvert.send(
      new CreateJobCommand({
        Role: ROLE,
        Settings: {
          Inputs: [{ FileInput: input }],
          OutputGroups: [
            {
              OutputGroupSettings: {
                Type: 'FILE_GROUP_SETTINGS',
                FileGroupSettings: { Destination: 's3://media-bucket/colour/' },
              },
              Outputs: [
                corrected('_neutral', { Brightness: 50, Contrast: 50, Saturation: 50, Hue: 0 }),
                corrected('_bright', { Brightness: 75 }),
                corrected('_grey', { Saturation: 1 }),
              ],
            },
          ],
        },
      }),
    );
    expect((await harness.settled(Job!.Id!)).detail.status).toBe('COMPLETE');
    const local = path.join(harness.dir, 'check-colour');
    await downloadPrefix(harness, 's3://media-bucket/colour/', local);
    const source = await meanPlanes(clip);
    const chroma = (p: { u: number; v: number }) => Math.abs(p.u - 128) + Math.abs(p.v - 128);
    const neutral = await meanPlanes(path.join(local, 'purple_neutral.mp4'));
    expect(Math.abs(neutral.y - source.y)).toBeLessThan(2);
    expect(Math.abs(chroma(neutral) - chroma(source))).toBeLessThan(2);
    // Brightness 75 adds a quarter of the luma range (about 64 of 255).
    const bright = await meanPlanes(path.join(local, 'purple_bright.mp4'));
    expect(bright.y - source.y).toBeGreaterThan(50);
    // Saturation 1 leaves almost no colour.
    const grey = await meanPlanes(path.join(local, 'purple_grey.mp4'));
    expect(chroma(source)).toBeGreaterThan(30);
    expect(chroma(grey)).toBeLessThan(4);
  });

  it('refuses malformed clippings and crops at CreateJob, naming the setting', async () => {
    const cases: [Input, RegExp][] = [
      [
        {
          FileInput: counter,
          InputClippings: [{ StartTimecode: '00:00:02:00', EndTimecode: '00:00:01:00' }],
        },
        /inputClippings\[0\]\.endTimecode 00:00:01:00 is before startTimecode 00:00:02:00/,
      ],
      [
        { FileInput: counter, InputClippings: [{}] },
        /inputClippings\[0\]: give startTimecode, endTimecode or both/,
      ],
      [
        { FileInput: counter, InputClippings: [{ StartTimecode: '1s' }] },
        /startTimecode must be a timecode HH:MM:SS:FF/,
      ],
      [
        { FileInput: counter, Crop: { X: 1, Y: 0, Width: 64, Height: 64 } },
        /settings\.inputs\[0\]\.crop\.x must be an even number, got 1/,
      ],
      [
        { FileInput: counter, Crop: { X: 0, Y: 0, Width: 0, Height: 64 } },
        /crop\.width must be an integer from 2/,
      ],
    ];
    for (const [input, message] of cases) {
      await expect(
        harness.mediaConvert.send(mp4Job([input], 's3://media-bucket/refused/')),
      ).rejects.toMatchObject({
        name: 'BadRequestException',
        message: expect.stringMatching(message),
      });
    }
  });

  it('fails the job, with a message, for a clipping after the end or a crop outside the picture', async () => {
    const late = await harness.mediaConvert.send(
      mp4Job(
        [
          {
            FileInput: counter,
            TimecodeSource: 'ZEROBASED',
            InputClippings: [{ StartTimecode: '00:01:00:00' }],
          },
        ],
        's3://media-bucket/late/',
      ),
    );
    const wide = await harness.mediaConvert.send(
      mp4Job(
        [{ FileInput: counter, Crop: { X: 100, Y: 0, Width: 64, Height: 64 } }],
        's3://media-bucket/wide/',
      ),
    );
    const lateEnd = await harness.settled(late.Job!.Id!);
    const wideEnd = await harness.settled(wide.Job!.Id!);
    expect(lateEnd.detail).toMatchObject({
      status: 'ERROR',
      errorMessage: expect.stringMatching(/startTimecode 00:01:00:00 is outside the input/),
    });
    expect(wideEnd.detail).toMatchObject({
      status: 'ERROR',
      errorMessage: expect.stringMatching(/crop 64x64 at 100,0 does not fit the 128x128 input picture/),
    });
  });
});
