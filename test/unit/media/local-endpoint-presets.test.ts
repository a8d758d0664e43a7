import { describe, expect, it } from 'vitest';
import { BadRequestException } from '#local/mediaconvert/api-errors.ts';
import { JobTemplateStore, withTemplate } from '#local/mediaconvert/job-templates.ts';
import { PresetCatalog } from '#local/mediaconvert/presets.ts';
import { checkPresetSettings } from '#local/mediaconvert/settings/read-output.ts';
import { readJobSettings } from '#local/mediaconvert/settings/read-job.ts';
import { systemPresetSettings } from '#local/mediaconvert/system-presets.ts';

type Json = any;

const hls360: Json = {
  containerSettings: { container: 'M3U8' },
  videoDescription: {
    width: 640,
    height: 360,
    codecSettings: { codec: 'H_264', h264Settings: { rateControlMode: 'QVBR', maxBitrate: 1_200_000 } },
  },
  audioDescriptions: [{ codecSettings: { codec: 'AAC', aacSettings: { bitrate: 96_000 } } }],
};

const job = (outputs: Json[]): Json => ({
  inputs: [{ fileInput: 's3://in-bucket/clip.mp4', audioSelectors: { 'Audio Selector 1': {} } }],
  outputGroups: [
    {
      outputGroupSettings: {
        type: 'HLS_GROUP_SETTINGS',
        hlsGroupSettings: { destination: 's3://out-bucket/hls/' },
      },
      outputs,
    },
  ],
});

describe('system presets', () => {
  it('builds a system preset from its name: packaging, codecs, picture size and rate', () => {
    expect(systemPresetSettings('System-Ott_Hls_Ts_Avc_Aac_16x9_1280x720p_30Hz_3.5Mbps')).toMatchObject({
      containerSettings: { container: 'M3U8' },
      videoDescription: {
        width: 1280,
        height: 720,
        codecSettings: { codec: 'H_264', h264Settings: { rateControlMode: 'QVBR', maxBitrate: 3_500_000 } },
      },
      audioDescriptions: [{ codecSettings: { codec: 'AAC', aacSettings: { bitrate: 96_000 } } }],
    });
    const audioOnly = systemPresetSettings('System-Ott_Dash_Mp4_Aac_He_96Kbps');
    expect(audioOnly).toMatchObject({
      containerSettings: { container: 'MPD' },
      audioDescriptions: [{ codecSettings: { aacSettings: { bitrate: 96_000, codecProfile: 'HEV1' } } }],
    });
    expect(audioOnly.videoDescription).toBeUndefined();
    expect(systemPresetSettings('System-Something_Else')).toBeUndefined();
    expect(systemPresetSettings('Ott_Hls_Ts_Avc_Aac_16x9_1280x720p_30Hz_3.5Mbps')).toBeUndefined();
  });
});

describe('outputs that name a preset', () => {
  const presets = new PresetCatalog();
  presets.create({ name: 'hls-360', settings: hls360 }, checkPresetSettings(presets));

  it("take the preset's container, video and audio, with the output's own name modifier", () => {
    const spec = readJobSettings(job([{ preset: 'hls-360', nameModifier: '_360' }]), presets);
    expect(spec.groups[0].outputs[0]).toMatchObject({
      kind: 'hls',
      nameModifier: '_360',
      video: { codec: 'H_264', width: 640, height: 360, maxBitrate: 1_200_000 },
      audio: { bitrate: 96_000 },
    });
    const system = readJobSettings(
      job([{ preset: 'System-Ott_Hls_Ts_Avc_Aac_16x9_640x360p_30Hz_1.2Mbps', nameModifier: '_sys' }]),
      presets,
    );
    expect(system.groups[0].outputs[0].video).toMatchObject({
      width: 640,
      height: 360,
      maxBitrate: 1_200_000,
    });
  });

  it('refuses an unknown preset, and a preset beside container settings, naming the output', () => {
    expect(() => readJobSettings(job([{ preset: 'nope' }]), presets)).toThrow(
      /settings\.outputGroups\[0\]\.outputs\[0\]\.preset: there is no preset named "nope"/,
    );
    expect(() =>
      readJobSettings(job([{ preset: 'hls-360', containerSettings: { container: 'M3U8' } }]), presets),
    ).toThrow(/specify either preset or containerSettings, not both/);
  });

  it('refuses at CreatePreset settings no output could use, a reserved name and a duplicate', () => {
    const bad = { ...hls360, videoDescription: { ...hls360.videoDescription, width: 9000 } };
    expect(() => presets.create({ name: 'too-wide', settings: bad }, checkPresetSettings(presets))).toThrow(
      /settings\.videoDescription\.width must be an integer from 32 to 8192/,
    );
    expect(() =>
      presets.create({ name: 'System-Mine', settings: hls360 }, checkPresetSettings(presets)),
    ).toThrow(BadRequestException);
    expect(() => presets.create({ name: 'hls-360', settings: hls360 }, checkPresetSettings(presets))).toThrow(
      /already exists/,
    );
    expect(presets.list({}).presets.map((p) => p.name)).toEqual(['hls-360']);
  });
});

describe('job templates', () => {
  it("gives a job the template's output groups and its single input's defaults; the job's members win", () => {
    const templates = new JobTemplateStore();
    const template = templates.create({
      name: 'ott',
      queue: 'arn:aws:mediaconvert:us-east-1:000000000000:queues/Ott',
      settings: {
        ...job([{ preset: 'hls-360' }]),
        inputs: [{ timecodeSource: 'ZEROBASED', audioSelectors: { A: {} } }],
      },
    });
    const merged = withTemplate(template, {
      inputs: [
        { fileInput: 's3://in-bucket/a.mp4' },
        { fileInput: 's3://in-bucket/b.mp4', audioSelectors: {} },
      ],
    });
    expect(merged.inputs).toEqual([
      { timecodeSource: 'ZEROBASED', audioSelectors: { A: {} }, fileInput: 's3://in-bucket/a.mp4' },
      { timecodeSource: 'ZEROBASED', audioSelectors: {}, fileInput: 's3://in-bucket/b.mp4' },
    ]);
    expect(merged.outputGroups).toBe(template.settings.outputGroups);
    const ownGroups = withTemplate(template, { outputGroups: [{ name: 'mine' }] });
    expect(ownGroups.outputGroups).toEqual([{ name: 'mine' }]);
    expect(() => templates.create({ name: 'two', settings: { inputs: [{}, {}] } })).toThrow(
      /at most one input/,
    );
    expect(() => templates.get('missing')).toThrow(/does not exist/);
  });
});
