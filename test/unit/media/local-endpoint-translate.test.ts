import { describe, expect, it } from 'vitest';
import {
  buildFfmpegCommand,
  colorCorrectionFilters,
  geometry,
  outputBase,
} from '#local/mediaconvert/ffmpeg-command.ts';
import { BadRequestException } from '#local/mediaconvert/api-errors.ts';
import { parseS3Uri } from '#local/mediaconvert/s3-uri.ts';
import { PresetCatalog } from '#local/mediaconvert/presets.ts';
import { readJobSettings } from '#local/mediaconvert/settings/read-job.ts';
import { planTimeline } from '#local/mediaconvert/timeline.ts';

type Json = any;

const presets = new PresetCatalog();

const settings = (): Json => ({
  inputs: [
    {
      fileInput: 's3://in/uploads/clip.mov',
      audioSelectors: { 'Audio Selector 1': { defaultSelection: 'DEFAULT' } },
    },
  ],
  outputGroups: [
    {
      outputGroupSettings: {
        type: 'HLS_GROUP_SETTINGS',
        hlsGroupSettings: { destination: 's3://out/hls/', segmentLength: 6 },
      },
      outputs: [
        {
          nameModifier: '_360p',
          videoDescription: {
            width: 640,
            height: 360,
            codecSettings: {
              codec: 'H_264',
              h264Settings: {
                rateControlMode: 'QVBR',
                qvbrSettings: { qvbrQualityLevel: 8 },
                maxBitrate: 1_000_000,
              },
            },
          },
          audioDescriptions: [
            {
              audioSourceName: 'Audio Selector 1',
              codecSettings: { codec: 'AAC', aacSettings: { bitrate: 96_000 } },
            },
          ],
        },
      ],
    },
  ],
});

describe('readJobSettings', () => {
  it('reads an HLS output with QVBR video and AAC audio', () => {
    const spec = readJobSettings(settings(), presets);
    const output = spec.groups[0].outputs[0];
    expect(spec.groups[0]).toMatchObject({
      type: 'HLS_GROUP',
      segmentSec: 6,
      destination: { bucket: 'out', prefix: 'hls/' },
    });
    expect(output.video).toMatchObject({
      codec: 'H_264',
      width: 640,
      rateControl: 'QVBR',
      qvbrQuality: 8,
      maxBitrate: 1_000_000,
    });
    expect(output.audio).toMatchObject({
      selectorName: 'Audio Selector 1',
      bitrate: 96_000,
      channels: 2,
      sampleRate: 48_000,
    });
    expect(spec.inputs[0].audioTracks['Audio Selector 1']).toBe(0);
    expect(spec.inputs[0].rotate).toBe('DEGREE_0');
  });

  it('names the setting it cannot honour', () => {
    // DASH ISO and CMAF are supported now; Microsoft Smooth Streaming is not.
    const smooth = settings();
    smooth.outputGroups[0].outputGroupSettings.type = 'MS_SMOOTH_GROUP_SETTINGS';
    expect(() => readJobSettings(smooth, presets)).toThrow(
      /settings\.outputGroups\[0\]\.outputGroupSettings\.type/,
    );
    // Input clippings run now; image inserters still do not.
    const inserted = settings();
    inserted.inputs[0].imageInserter = { insertableImages: [{ imageInserterInput: 's3://in/logo.png' }] };
    expect(() => readJobSettings(inserted, presets)).toThrow(/settings\.inputs\[0\]\.imageInserter/);
    const ac3 = settings();
    ac3.outputGroups[0].outputs[0].audioDescriptions[0].codecSettings.codec = 'AC3';
    expect(() => readJobSettings(ac3, presets)).toThrow(BadRequestException);
    const missingSelector = settings();
    missingSelector.outputGroups[0].outputs[0].audioDescriptions[0].audioSourceName = 'Audio Selector 9';
    expect(() => readJobSettings(missingSelector, presets)).toThrow(
      /no audio selector named "Audio Selector 9"/,
    );
  });

  it('refuses output paths that would climb out of the destination, naming the setting', () => {
    const climbing = settings();
    climbing.outputGroups[0].outputGroupSettings.hlsGroupSettings.destination = 's3://out/hls/../../etc/';
    expect(() => readJobSettings(climbing, presets)).toThrow(
      /settings\.outputGroups\[0\]\.outputGroupSettings\.hlsGroupSettings\.destination: must not contain '\.' or '\.\.' path segments/,
    );
    const modifier = settings();
    modifier.outputGroups[0].outputs[0].nameModifier = '/../../../escape';
    expect(() => readJobSettings(modifier, presets)).toThrow(
      /settings\.outputGroups\[0\]\.outputs\[0\]\.nameModifier: must not contain/,
    );
    const bucket = settings();
    bucket.outputGroups[0].outputGroupSettings.hlsGroupSettings.destination = 's3://../hls/';
    expect(() => readJobSettings(bucket, presets)).toThrow(/is not a valid bucket name/);
  });

  it('refuses values outside the ranges the API reference documents, naming the setting and the range', () => {
    const video = (job: Json) => job.outputGroups[0].outputs[0].videoDescription;
    const odd = settings();
    video(odd).width = 641;
    expect(() => readJobSettings(odd, presets)).toThrow(
      /outputs\[0\]\.videoDescription\.width must be an even number, got 641/,
    );
    const tiny = settings();
    video(tiny).height = 16;
    expect(() => readJobSettings(tiny, presets)).toThrow(
      /videoDescription\.height must be an integer from 32 to 8192, got 16/,
    );
    const qvbr11 = settings();
    video(qvbr11).codecSettings.h264Settings.qvbrSettings.qvbrQualityLevel = 11;
    expect(() => readJobSettings(qvbr11, presets)).toThrow(
      /qvbrSettings\.qvbrQualityLevel must be an integer from 1 to 10, got 11/,
    );
    const aac = settings();
    aac.outputGroups[0].outputs[0].audioDescriptions[0].codecSettings.aacSettings.bitrate = 1_000;
    expect(() => readJobSettings(aac, presets)).toThrow(
      /aacSettings\.bitrate must be an integer from 6000 to 1024000/,
    );
    const segment = settings();
    segment.outputGroups[0].outputGroupSettings.hlsGroupSettings.segmentLength = 0;
    expect(() => readJobSettings(segment, presets)).toThrow(
      /hlsGroupSettings\.segmentLength must be an integer from 1/,
    );
    const lkfs = settings();
    lkfs.outputGroups[0].outputs[0].audioDescriptions[0].audioNormalizationSettings = { targetLkfs: 3 };
    expect(() => readJobSettings(lkfs, presets)).toThrow(/targetLkfs must be a number from -59 to 0, got 3/);
  });

  it('reads the colour corrector within its documented ranges and turns it into eq and hue filters', () => {
    const job = settings();
    job.outputGroups[0].outputs[0].videoDescription.videoPreprocessors = {
      colorCorrector: { brightness: 75, saturation: 1, hue: 30 },
    };
    const spec = readJobSettings(job, presets);
    expect(spec.groups[0].outputs[0].video?.color).toEqual({
      brightness: 75,
      contrast: 50,
      saturation: 1,
      hue: 30,
    });
    expect(colorCorrectionFilters(spec.groups[0].outputs[0].video!.color!)).toEqual([
      'eq=brightness=0.25:contrast=1:saturation=0.02',
      'hue=h=30',
    ]);
    const neutral = settings();
    neutral.outputGroups[0].outputs[0].videoDescription.videoPreprocessors = {
      colorCorrector: { brightness: 50 },
    };
    expect(readJobSettings(neutral, presets).groups[0].outputs[0].video?.color).toBeUndefined();
    for (const [level, value, message] of [
      ['brightness', 0, /colorCorrector\.brightness must be an integer from 1 to 100, got 0/],
      ['hue', 181, /colorCorrector\.hue must be an integer from -180 to 180, got 181/],
      ['saturation', 50.5, /colorCorrector\.saturation must be an integer/],
    ] as const) {
      const bad = settings();
      bad.outputGroups[0].outputs[0].videoDescription.videoPreprocessors = {
        colorCorrector: { [level]: value },
      };
      expect(() => readJobSettings(bad, presets)).toThrow(message);
    }
  });

  it('answers null or mistyped members with a BadRequestException naming them, not a crash', () => {
    const nullInput = settings();
    nullInput.inputs = [null];
    expect(() => readJobSettings(nullInput, presets)).toThrow(
      /settings\.inputs\[0\]: expected an object, got null/,
    );
    const nullAudio = settings();
    nullAudio.outputGroups[0].outputs[0].audioDescriptions = [null];
    expect(() => readJobSettings(nullAudio, presets)).toThrow(
      /audioDescriptions\[0\]: expected an object, got null/,
    );
    const nullOutput = settings();
    nullOutput.outputGroups[0].outputs = [null];
    expect(() => readJobSettings(nullOutput, presets)).toThrow(BadRequestException);
    const stringGroups = settings();
    stringGroups.outputGroups = 'hls';
    expect(() => readJobSettings(stringGroups, presets)).toThrow(/settings\.outputGroups: expected an array/);
    const nullCodec = settings();
    nullCodec.outputGroups[0].outputs[0].videoDescription.codecSettings = null;
    expect(() => readJobSettings(nullCodec, presets)).toThrow(BadRequestException);
  });

  it('requires a bit rate for CBR and refuses one with QVBR', () => {
    const cbr = settings();
    cbr.outputGroups[0].outputs[0].videoDescription.codecSettings.h264Settings = { rateControlMode: 'CBR' };
    expect(() => readJobSettings(cbr, presets)).toThrow(/h264Settings\.bitrate is required/);
    const both = settings();
    both.outputGroups[0].outputs[0].videoDescription.codecSettings.h264Settings.bitrate = 1;
    expect(() => readJobSettings(both, presets)).toThrow(/not allowed with QVBR/);
  });
});

describe('output naming and geometry', () => {
  it('uses the input base name when the destination ends in a slash, as MediaConvert does', () => {
    expect(outputBase(parseS3Uri('s3://out/hls/', 'd'), 'uploads/clip.mov')).toBe('clip');
    expect(outputBase(parseS3Uri('s3://out/hls/master', 'd'), 'uploads/clip.mov')).toBe('master');
  });

  it('letterboxes a 4:3 picture into a 16:9 box by default and stretches only when asked', () => {
    expect(geometry({ width: 640, height: 480 }, { width: 1280, height: 720, scaling: 'DEFAULT' })).toEqual({
      width: 1280,
      height: 720,
      filter: 'scale=960:720,pad=1280:720:(ow-iw)/2:(oh-ih)/2',
    });
    expect(
      geometry({ width: 640, height: 480 }, { width: 1280, height: 720, scaling: 'STRETCH_TO_OUTPUT' })
        .filter,
    ).toBe('scale=1280:720');
  });

  it('derives the missing side from the display aspect ratio', () => {
    expect(geometry({ width: 1080, height: 1920 }, { width: 360, scaling: 'DEFAULT' })).toMatchObject({
      width: 360,
      height: 640,
    });
  });

  it('decodes once and maps every output of the job into one ffmpeg command', () => {
    const spec = readJobSettings(settings(), presets);
    const facts = {
      width: 1280,
      height: 720,
      pixelWidth: 1280,
      pixelHeight: 720,
      sar: 1,
      fps: 24,
      durationSec: 10,
      audioStreams: 1,
      hdr: false,
      quarterTurns: 0,
    };
    const { args, outputs } = buildFfmpegCommand(
      spec,
      planTimeline(spec, ['/tmp/in.mov'], [facts]),
      '/tmp/out',
      {
        preset: 'veryfast',
      },
    );
    expect(args.filter((a) => a === '-i')).toHaveLength(1);
    expect(args).toContain('-noautorotate');
    expect(args).toContain('/tmp/out/out/hls/clip_360p.m3u8');
    expect(args[args.indexOf('-crf') + 1]).toBe('21');
    expect(args[args.indexOf('-force_key_frames') + 1]).toBe('expr:gte(t,n_forced*6)');
    expect(outputs[0]).toMatchObject({ keyStem: 'hls/clip_360p', width: 640, height: 360 });
  });
});
