/**
 * What AWS's Video on Demand solution sends, run on the local endpoint through the SDK: job settings
 * of our own written the way its templates are (presets named per output, HLS + MP4 + DASH ISO with
 * video-only DASH representations and an audio-only one, a template without destinations that the
 * job fills in) and a CMAF job; every output is then played with the npm ffmpeg.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  CreateJobCommand,
  CreateJobTemplateCommand,
  CreatePresetCommand,
  GetJobTemplateCommand,
  type OutputGroup,
  type PresetSettings,
} from '@aws-sdk/client-mediaconvert';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MediaHarness, skipWithoutSharedVideo, startMediaHarness } from './harness.ts';
import { downloadPrefix, playback, ROLE } from './output-checks.ts';

const skipMedia = skipWithoutSharedVideo();

const qvbrH264 = (width: number, height: number, maxBitrate: number) => ({
  Width: width,
  Height: height,
  CodecSettings: {
    Codec: 'H_264' as const,
    H264Settings: {
      RateControlMode: 'QVBR' as const,
      QvbrSettings: { QvbrQualityLevel: 7 },
      MaxBitrate: maxBitrate,
      GopSizeUnits: 'AUTO' as const,
      SceneChangeDetect: 'TRANSITION_DETECTION' as const,
    },
  },
});

const aac = (bitrate: number) => ({
  AudioSourceName: 'Audio Selector 1',
  CodecSettings: {
    Codec: 'AAC' as const,
    AacSettings: { Bitrate: bitrate, CodingMode: 'CODING_MODE_2_0' as const, SampleRate: 48_000 },
  },
});

/** Our presets, named like the solution's: TS renditions with audio, video-only DASH, an MP4. */
const PRESETS: Record<string, PresetSettings> = {
  'marquee_Hls_Ts_Avc_Aac_16x9_426x240p_0.4Mbps_qvbr': {
    ContainerSettings: { Container: 'M3U8', M3u8Settings: {} },
    VideoDescription: qvbrH264(426, 240, 400_000),
    AudioDescriptions: [aac(64_000)],
  },
  'marquee_Hls_Ts_Avc_Aac_16x9_320x180p_0.2Mbps_qvbr': {
    ContainerSettings: { Container: 'M3U8', M3u8Settings: {} },
    VideoDescription: qvbrH264(320, 180, 200_000),
    AudioDescriptions: [aac(64_000)],
  },
  'marquee_Dash_Mp4_Avc_16x9_426x240p_0.4Mbps_qvbr': {
    ContainerSettings: { Container: 'MPD' },
    VideoDescription: qvbrH264(426, 240, 400_000),
  },
  'marquee_Dash_Mp4_Avc_16x9_320x180p_0.2Mbps_qvbr': {
    ContainerSettings: { Container: 'MPD' },
    VideoDescription: qvbrH264(320, 180, 200_000),
  },
  'marquee_Mp4_Avc_Aac_16x9_426x240p_0.5Mbps_qvbr': {
    ContainerSettings: { Container: 'MP4', Mp4Settings: {} },
    VideoDescription: qvbrH264(426, 240, 500_000),
    AudioDescriptions: [aac(96_000)],
  },
};

/** The template: three groups, outputs by preset, no destinations (the solution adds them per job). */
const TEMPLATE_GROUPS: OutputGroup[] = [
  {
    Name: 'File Group',
    OutputGroupSettings: { Type: 'FILE_GROUP_SETTINGS', FileGroupSettings: {} },
    Outputs: [
      {
        Preset: 'marquee_Mp4_Avc_Aac_16x9_426x240p_0.5Mbps_qvbr',
        Extension: 'mp4',
        NameModifier: '_Mp4_240p',
      },
    ],
  },
  {
    Name: 'Apple HLS',
    OutputGroupSettings: {
      Type: 'HLS_GROUP_SETTINGS',
      HlsGroupSettings: { SegmentLength: 3, MinSegmentLength: 0, SegmentControl: 'SEGMENTED_FILES' },
    },
    Outputs: [
      { Preset: 'marquee_Hls_Ts_Avc_Aac_16x9_426x240p_0.4Mbps_qvbr', NameModifier: '_Hls_240p' },
      { Preset: 'marquee_Hls_Ts_Avc_Aac_16x9_320x180p_0.2Mbps_qvbr', NameModifier: '_Hls_180p' },
    ],
  },
  {
    Name: 'DASH ISO',
    OutputGroupSettings: {
      Type: 'DASH_ISO_GROUP_SETTINGS',
      DashIsoGroupSettings: { SegmentLength: 30, FragmentLength: 3, SegmentControl: 'SEGMENTED_FILES' },
    },
    Outputs: [
      { Preset: 'marquee_Dash_Mp4_Avc_16x9_426x240p_0.4Mbps_qvbr', NameModifier: '_Dash_240p' },
      { Preset: 'marquee_Dash_Mp4_Avc_16x9_320x180p_0.2Mbps_qvbr', NameModifier: '_Dash_180p' },
      { Preset: 'System-Ott_Dash_Mp4_Aac_He_96Kbps', NameModifier: '_Dash_Aac' },
    ],
  },
];

/** What the solution's job-submit step does: the template's groups with this job's destinations. */
function withDestinations(groups: OutputGroup[], destination: string): OutputGroup[] {
  const folders: Record<string, string> = {
    FILE_GROUP_SETTINGS: 'mp4/',
    HLS_GROUP_SETTINGS: 'hls/',
    DASH_ISO_GROUP_SETTINGS: 'dash/',
  };
  return groups.map((group) => {
    const settings = structuredClone(group.OutputGroupSettings!);
    const member = {
      FILE_GROUP_SETTINGS: 'FileGroupSettings',
      HLS_GROUP_SETTINGS: 'HlsGroupSettings',
      DASH_ISO_GROUP_SETTINGS: 'DashIsoGroupSettings',
    }[settings.Type as 'FILE_GROUP_SETTINGS'] as 'FileGroupSettings';
    settings[member] = { ...settings[member], Destination: `${destination}${folders[settings.Type!]}` };
    return { ...group, OutputGroupSettings: settings };
  });
}

describe.skipIf(skipMedia)('the Video on Demand on AWS way of submitting jobs, run locally', () => {
  let harness: MediaHarness;
  let input: string;
  beforeAll(async () => {
    harness = await startMediaHarness();
    input = await harness.putSharedClip('vod/bunny.mp4', 'bbb_prog_10s.mp4');
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('runs a preset-based HLS + MP4 + DASH template filled in per job, and every output plays', async () => {
    for (const [Name, Settings] of Object.entries(PRESETS)) {
      await harness.mediaConvert.send(new CreatePresetCommand({ Name, Category: 'VOD', Settings }));
    }
    await harness.mediaConvert.send(
      new CreateJobTemplateCommand({
        Name: 'marquee_Ott_240p_Avc_Aac_16x9_qvbr',
        Settings: { OutputGroups: TEMPLATE_GROUPS },
      }),
    );
    const { JobTemplate } = await harness.mediaConvert.send(
      new GetJobTemplateCommand({ Name: 'marquee_Ott_240p_Avc_Aac_16x9_qvbr' }),
    );
    const { Job } = await harness.mediaConvert.send(
      new CreateJobCommand({
        Role: ROLE,
        JobTemplate: JobTemplate!.Name,
        UserMetadata: { guid: 'vod-0001' },
        Settings: {
          Inputs: [
            { FileInput: input, AudioSelectors: { 'Audio Selector 1': { DefaultSelection: 'DEFAULT' } } },
          ],
          OutputGroups: withDestinations(JobTemplate!.Settings!.OutputGroups!, 's3://media-bucket/vod-0001/'),
        },
      }),
    );
    const final = await harness.settled(Job!.Id!);
    expect(final.detail.status).toBe('COMPLETE');
    const local = path.join(harness.dir, 'check-vod-template');
    const keys = await downloadPrefix(harness, 's3://media-bucket/vod-0001/', local);
    expect(keys).toEqual(
      expect.arrayContaining([
        'vod-0001/mp4/bunny_Mp4_240p.mp4',
        'vod-0001/hls/bunny.m3u8',
        'vod-0001/dash/bunny.mpd',
        'vod-0001/dash/bunny_Dash_240p_init.mp4',
        'vod-0001/dash/bunny_Dash_Aac_000000001.mp4',
      ]),
    );
    const mp4 = await playback(path.join(local, 'mp4/bunny_Mp4_240p.mp4'));
    expect(mp4).toMatchObject({ video: ['h264 426x240'], audio: ['aac stereo'] });
    const hls = await playback(path.join(local, 'hls/bunny.m3u8'));
    expect(hls.video).toEqual(['h264 426x240', 'h264 320x180']);
    expect(hls.durationSec).toBeGreaterThan(9.5);
    const dash = await playback(path.join(local, 'dash/bunny.mpd'));
    expect(dash.video).toEqual(['h264 426x240', 'h264 320x180']);
    expect(dash.audio).toEqual(['aac stereo']);
    const groups = final.detail.outputGroupDetails as { type: string; playlistFilePaths?: string[] }[];
    expect(groups.map((g) => g.type)).toEqual(['FILE_GROUP', 'HLS_GROUP', 'DASH_ISO_GROUP']);
    expect(groups[2].playlistFilePaths).toEqual(['s3://media-bucket/vod-0001/dash/bunny.mpd']);
  });

  it('runs a CMAF group: fragmented MP4 once, with an HLS and a DASH manifest that both play', async () => {
    const cmfc = (Container: 'CMFC') => ({ Container });
    const { Job } = await harness.mediaConvert.send(
      new CreateJobCommand({
        Role: ROLE,
        Settings: {
          Inputs: [
            { FileInput: input, AudioSelectors: { 'Audio Selector 1': { DefaultSelection: 'DEFAULT' } } },
          ],
          OutputGroups: [
            {
              Name: 'CMAF',
              OutputGroupSettings: {
                Type: 'CMAF_GROUP_SETTINGS',
                CmafGroupSettings: {
                  Destination: 's3://media-bucket/cmaf-0001/main',
                  SegmentLength: 4,
                  FragmentLength: 2,
                  WriteHlsManifest: 'ENABLED',
                  WriteDashManifest: 'ENABLED',
                },
              },
              Outputs: [
                {
                  NameModifier: '_240p',
                  ContainerSettings: cmfc('CMFC'),
                  VideoDescription: qvbrH264(426, 240, 400_000),
                },
                {
                  NameModifier: '_180p',
                  ContainerSettings: cmfc('CMFC'),
                  VideoDescription: qvbrH264(320, 180, 200_000),
                },
                { NameModifier: '_aac', ContainerSettings: cmfc('CMFC'), AudioDescriptions: [aac(96_000)] },
              ],
            },
          ],
        },
      }),
    );
    const final = await harness.settled(Job!.Id!);
    expect(final.detail.status).toBe('COMPLETE');
    const local = path.join(harness.dir, 'check-cmaf');
    const keys = await downloadPrefix(harness, 's3://media-bucket/cmaf-0001/', local);
    expect(keys).toEqual(
      expect.arrayContaining([
        'cmaf-0001/main.m3u8',
        'cmaf-0001/main.mpd',
        'cmaf-0001/main_240p.m3u8',
        'cmaf-0001/main_240p_init.mp4',
        'cmaf-0001/main_aac_000000003.mp4',
      ]),
    );
    expect(await readFile(path.join(local, 'main.m3u8'), 'utf8')).toMatch(
      /#EXT-X-STREAM-INF:BANDWIDTH=\d+,AVERAGE-BANDWIDTH=\d+,RESOLUTION=426x240/,
    );
    for (const manifest of ['main.m3u8', 'main.mpd']) {
      const played = await playback(path.join(local, manifest));
      expect(played.video).toEqual(['h264 426x240', 'h264 320x180']);
      expect(played.audio).toEqual(['aac stereo']);
      expect(played.durationSec).toBeGreaterThan(8.5);
    }
    // The same segments serve both manifests: a DASH representation is one HLS rendition.
    expect(keys.filter((k) => k.endsWith('.mp4')).length).toBe(3 * (1 + 3));
  });

  it('refuses a DASH output that carries video and audio together, as the service does', async () => {
    await expect(
      harness.mediaConvert.send(
        new CreateJobCommand({
          Role: ROLE,
          Settings: {
            Inputs: [{ FileInput: input, AudioSelectors: { 'Audio Selector 1': {} } }],
            OutputGroups: [
              {
                OutputGroupSettings: {
                  Type: 'DASH_ISO_GROUP_SETTINGS',
                  DashIsoGroupSettings: { Destination: 's3://media-bucket/bad-dash/' },
                },
                Outputs: [
                  {
                    ContainerSettings: { Container: 'MPD' },
                    VideoDescription: qvbrH264(426, 240, 400_000),
                    AudioDescriptions: [aac(96_000)],
                  },
                ],
              },
            ],
          },
        }),
      ),
    ).rejects.toMatchObject({
      name: 'BadRequestException',
      message: expect.stringContaining(
        'settings.outputGroups[0].outputs[0]: a MPD output carries either video or audio',
      ),
    });
  });
});
