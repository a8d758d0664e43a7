/**
 * Presets and job templates on the local MediaConvert endpoint through the AWS SDK: a custom preset
 * and system presets named in a job template, and a job made from that template with only its input.
 */
import path from 'node:path';
import {
  CreateJobCommand,
  CreateJobTemplateCommand,
  CreatePresetCommand,
  GetJobTemplateCommand,
  GetPresetCommand,
  ListPresetsCommand,
} from '@aws-sdk/client-mediaconvert';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MediaHarness, skipWithoutSharedVideo, startMediaHarness } from './harness.ts';
import { decodeErrors, downloadPrefix, probeStreams, ROLE } from './output-checks.ts';

const skipMedia = skipWithoutSharedVideo();

describe.skipIf(skipMedia)('presets and job templates on the local endpoint', () => {
  let harness: MediaHarness;
  let input: string;
  beforeAll(async () => {
    harness = await startMediaHarness();
    input = await harness.putSharedClip('tpl/clip.mp4', 'bbb_prog_10s.mp4');
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('creates, reads and lists a custom preset, and reads a system preset by name', async () => {
    const { Preset } = await harness.mediaConvert.send(
      new CreatePresetCommand({
        Name: 'marquee-hls-240',
        Category: 'test',
        Settings: {
          ContainerSettings: { Container: 'M3U8', M3u8Settings: {} },
          VideoDescription: {
            Width: 426,
            Height: 240,
            CodecSettings: {
              Codec: 'H_264',
              H264Settings: {
                RateControlMode: 'QVBR',
                QvbrSettings: { QvbrQualityLevel: 7 },
                MaxBitrate: 400_000,
              },
            },
          },
          AudioDescriptions: [
            { CodecSettings: { Codec: 'AAC', AacSettings: { Bitrate: 64_000, SampleRate: 48_000 } } },
          ],
        },
      }),
    );
    expect(Preset).toMatchObject({ Name: 'marquee-hls-240', Type: 'CUSTOM' });
    const fetched = await harness.mediaConvert.send(new GetPresetCommand({ Name: 'marquee-hls-240' }));
    expect(fetched.Preset?.Settings?.VideoDescription?.Width).toBe(426);
    const listed = await harness.mediaConvert.send(new ListPresetsCommand({ Category: 'test' }));
    expect(listed.Presets?.map((p) => p.Name)).toEqual(['marquee-hls-240']);
    const system = await harness.mediaConvert.send(
      new GetPresetCommand({ Name: 'System-Generic_Hd_Mp4_Avc_Aac_16x9_640x360p_24Hz_1Mbps' }),
    );
    expect(system.Preset).toMatchObject({
      Type: 'SYSTEM',
      Settings: { ContainerSettings: { Container: 'MP4' } },
    });
    await expect(
      harness.mediaConvert.send(new GetPresetCommand({ Name: 'no-such-preset' })),
    ).rejects.toMatchObject({
      name: 'NotFoundException',
    });
    await expect(
      harness.mediaConvert.send(
        new CreatePresetCommand({
          Name: 'odd',
          Settings: {
            ContainerSettings: { Container: 'MP4' },
            VideoDescription: {
              Width: 427,
              CodecSettings: { Codec: 'H_264', H264Settings: { RateControlMode: 'QVBR' } },
            },
          },
        }),
      ),
    ).rejects.toMatchObject({
      name: 'BadRequestException',
      message: expect.stringContaining('must be an even number'),
    });
  });

  it('runs a job made from a template that names a custom and a system preset, given only its input', async () => {
    await harness.mediaConvert.send(
      new CreateJobTemplateCommand({
        Name: 'marquee-ott',
        Settings: {
          Inputs: [
            {
              AudioSelectors: { 'Audio Selector 1': { DefaultSelection: 'DEFAULT' } },
              TimecodeSource: 'ZEROBASED',
            },
          ],
          OutputGroups: [
            {
              Name: 'Apple HLS',
              OutputGroupSettings: {
                Type: 'HLS_GROUP_SETTINGS',
                HlsGroupSettings: {
                  Destination: 's3://media-bucket/tpl/hls/',
                  SegmentLength: 2,
                  MinSegmentLength: 0,
                },
              },
              Outputs: [{ Preset: 'marquee-hls-240', NameModifier: '_240' }],
            },
            {
              Name: 'File Group',
              OutputGroupSettings: {
                Type: 'FILE_GROUP_SETTINGS',
                FileGroupSettings: { Destination: 's3://media-bucket/tpl/mp4/' },
              },
              Outputs: [
                { Preset: 'System-Generic_Hd_Mp4_Avc_Aac_16x9_640x360p_24Hz_1Mbps', NameModifier: '_sys' },
              ],
            },
          ],
        },
      }),
    );
    const template = await harness.mediaConvert.send(new GetJobTemplateCommand({ Name: 'marquee-ott' }));
    expect(template.JobTemplate?.Settings?.OutputGroups).toHaveLength(2);
    const { Job } = await harness.mediaConvert.send(
      new CreateJobCommand({
        Role: ROLE,
        JobTemplate: 'marquee-ott',
        Settings: { Inputs: [{ FileInput: input }] },
      }),
    );
    expect(Job?.JobTemplate).toBe('marquee-ott');
    const final = await harness.settled(Job!.Id!);
    expect(final.detail.status).toBe('COMPLETE');
    const local = path.join(harness.dir, 'check-template');
    const keys = await downloadPrefix(harness, 's3://media-bucket/tpl/', local);
    expect(keys).toEqual(
      expect.arrayContaining(['tpl/hls/clip.m3u8', 'tpl/hls/clip_240.m3u8', 'tpl/mp4/clip_sys.mp4']),
    );
    expect(await decodeErrors(path.join(local, 'hls/clip.m3u8'))).toBe('');
    const mp4 = await probeStreams(path.join(local, 'mp4/clip_sys.mp4'));
    expect(mp4).toEqual([
      expect.objectContaining({ codec_type: 'video', width: 640, height: 360 }),
      expect.objectContaining({ codec_type: 'audio', channels: 2 }),
    ]);
    await expect(
      harness.mediaConvert.send(
        new CreateJobCommand({
          Role: ROLE,
          JobTemplate: 'nope',
          Settings: { Inputs: [{ FileInput: input }] },
        }),
      ),
    ).rejects.toMatchObject({
      name: 'BadRequestException',
      message: expect.stringContaining('no job template named'),
    });
  });
});
