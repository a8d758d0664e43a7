/**
 * The local MediaConvert endpoint driven by the real AWS SDK client, on s3rver, with real clips.
 * Transcodes use small ladders and the veryfast preset to keep the tier quick on 2 cores.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  CancelJobCommand,
  CreateJobCommand,
  DescribeEndpointsCommand,
  GetJobCommand,
  ListJobsCommand,
  ProbeCommand,
} from '@aws-sdk/client-mediaconvert';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GroupDetail } from '#local/mediaconvert/job.ts';
import { interpretJobEvent } from '#adapters/media/mediaconvert-job-events.ts';
import { toJobSettings } from '#adapters/media/mediaconvert-job-settings.ts';
import { defaultLadderConfig, type LadderConfig, planLadder } from '#domain/media/ladder.ts';
import { toSourceProbe } from '#adapters/media/mediaconvert-probe.ts';
import { resolveFfmpegPath } from '#local/mediaconvert/binaries.ts';
import { vodOnAwsJob } from './fixtures/vod-on-aws-job.ts';
import {
  capturedFrame,
  decodeErrors,
  downloadPrefix,
  frameCounterClip,
  meanLuma,
  probeStreams,
  ROLE,
  videoStreamLine,
} from './output-checks.ts';
import { type MediaHarness, sharedVideo, skipWithoutSharedVideo, startMediaHarness } from './harness.ts';

const run = promisify(execFile);
const skipMedia = skipWithoutSharedVideo();

const smallLadder: LadderConfig = {
  ...defaultLadderConfig,
  rungs: [
    { shortSide: 360, maxBitrateBps: 800_000, qvbrQuality: 7 },
    { shortSide: 240, maxBitrateBps: 400_000, qvbrQuality: 7 },
  ],
  segmentSec: 2,
  thumbnailIntervalSec: 2,
};

/**
 * Uploads `source` (a shared clip's name, or a path), probes it, plans `config`'s ladder and runs
 * the job to its end.
 */
async function transcodeAsset(harness: MediaHarness, source: string, assetId: string, config = smallLadder) {
  const file = path.resolve(sharedVideo, source);
  const inputUri = await harness.putFile('uploads-bucket', `uploads/${assetId}/${path.basename(file)}`, file);
  const probed = await harness.mediaConvert.send(new ProbeCommand({ InputFiles: [{ FileUrl: inputUri }] }));
  const plan = planLadder(toSourceProbe(probed.ProbeResults![0]), config);
  const outputPrefix = `s3://media-bucket/assets/${assetId}/`;
  const request = toJobSettings(
    { assetId, inputUri, outputPrefix, plan },
    { queueArn: 'Default', roleArn: ROLE },
  );
  const { Job } = await harness.mediaConvert.send(new CreateJobCommand(request));
  const final = await harness.settled(Job!.Id!);
  return { probed, plan, job: Job!, final, outputPrefix };
}

describe.skipIf(skipMedia)('local MediaConvert endpoint', () => {
  let harness: MediaHarness;
  beforeAll(async () => {
    harness = await startMediaHarness();
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('answers DescribeEndpoints with its own URL', async () => {
    const { Endpoints } = await harness.mediaConvert.send(new DescribeEndpointsCommand({}));
    expect(Endpoints?.[0]?.Url).toBe(harness.mediaConvertUrl);
  });

  it('probes rotation, sample aspect ratio, tracks and codecs like the Probe API', async () => {
    const rotated = await harness.putSharedClip('probe/rotate.mp4', 'rotate-buck-bunny.mp4');
    const anamorphic = await harness.putSharedClip('probe/anamorphic.mp4', 'bbb_prog_10s.mp4');
    const webm = await harness.putSharedClip('probe/clip.webm', 'big_buck_bunny_0_30.webm');
    const { ProbeResults } = await harness.mediaConvert.send(
      new ProbeCommand({ InputFiles: [{ FileUrl: rotated }, { FileUrl: anamorphic }, { FileUrl: webm }] }),
    );
    const [r, a, w] = ProbeResults!;
    expect(r.Container?.Tracks?.[0]?.VideoProperties).toMatchObject({
      Width: 1920,
      Height: 1080,
      Rotation: -90,
    });
    expect(r.Container?.Tracks?.[1]?.AudioProperties?.Channels).toBe(6);
    expect(a.Container?.Tracks?.[0]?.VideoProperties?.SampleAspectRatio).toEqual({
      Numerator: 4,
      Denominator: 3,
    });
    expect(w.Container).toMatchObject({ Format: 'webm' });
    expect(w.Container?.Tracks?.map((t) => t.Codec)).toEqual(['VP8', 'VORBIS']);
    expect(toSourceProbe(r).video).toMatchObject({
      displayWidth: 1080,
      displayHeight: 1920,
    });
  });

  it('probes a text file named .mp4 as having no container, and refuses a missing object', async () => {
    const text = await harness.put('uploads-bucket', 'probe/notes.mp4', 'this is not a video\n');
    const { ProbeResults } = await harness.mediaConvert.send(
      new ProbeCommand({ InputFiles: [{ FileUrl: text }] }),
    );
    expect(ProbeResults?.[0]?.Container).toBeUndefined();
    expect(ProbeResults?.[0]?.Metadata?.FileSize).toBe(20);
    await expect(
      harness.mediaConvert.send(
        new ProbeCommand({ InputFiles: [{ FileUrl: 's3://uploads-bucket/nope.mp4' }] }),
      ),
    ).rejects.toMatchObject({ name: 'BadRequestException' });
  });

  it('turns an anamorphic clip into a playable 16:9 HLS ladder, MP4, thumbnails and poster', async () => {
    const { final, outputPrefix, plan } = await transcodeAsset(harness, 'bbb_prog_10s.mp4', 'anamorphic0001');
    expect(final.detail.status).toBe('COMPLETE');
    const update = interpretJobEvent(final);
    if (update.kind !== 'complete') throw new Error(`expected COMPLETE, got ${JSON.stringify(final.detail)}`);
    expect(update.outputs.renditions.map((r) => `${r.width}x${r.height}`)).toEqual(['426x240']);
    const local = path.join(harness.dir, 'check-anamorphic');
    const keys = await downloadPrefix(harness, outputPrefix, local);
    expect(keys).toContain('assets/anamorphic0001/hls/master.m3u8');
    const master = await readFile(path.join(local, 'hls/master.m3u8'), 'utf8');
    expect(master).toMatch(
      /#EXT-X-STREAM-INF:BANDWIDTH=\d+,AVERAGE-BANDWIDTH=\d+,RESOLUTION=426x240,.*CODECS="avc1\.64[0-9a-f]{4},mp4a\.40\.2"/,
    );
    // The rendition's reported peak is the BANDWIDTH players are given, and never below its average.
    const reported = update.outputs.renditions[0];
    expect(reported.peakBitrateBps).toBe(Number(/[:,]BANDWIDTH=(\d+)/.exec(master)?.[1]));
    expect(reported.averageBitrateBps).toBe(Number(/AVERAGE-BANDWIDTH=(\d+)/.exec(master)?.[1]));
    expect(reported.peakBitrateBps).toBeGreaterThanOrEqual(reported.averageBitrateBps!);
    expect(update.outputs.download?.peakBitrateBps).toBeGreaterThanOrEqual(
      update.outputs.download!.averageBitrateBps!,
    );
    const rendition = await readFile(path.join(local, 'hls/master_240p.m3u8'), 'utf8');
    expect(rendition).toContain('#EXT-X-PLAYLIST-TYPE:VOD');
    expect(rendition).toContain('#EXT-X-ENDLIST');
    expect(await decodeErrors(path.join(local, 'hls/master.m3u8'))).toBe('');
    for (const segment of keys.filter((k) => k.endsWith('.ts'))) {
      expect(
        await decodeErrors(
          path.join(local, segment.slice(outputPrefix.length - 'S3://media-bucket/'.length)),
        ),
      ).toBe('');
    }
    const mp4 = await probeStreams(path.join(local, 'files/video_download.mp4'));
    expect(mp4.find((s) => s.codec_type === 'video')).toMatchObject({ width: 426, height: 240 });
    expect(update.outputs.thumbnails).toHaveLength(plan.thumbnails.maxCaptures);
    for (const thumbnail of update.outputs.thumbnails)
      expect(keys).toContain(thumbnail.replace('s3://media-bucket/', ''));
    expect(update.outputs.poster).toBe(`${outputPrefix}files/video_poster.0000001.jpg`);
  });

  it('captures thumbnails and the poster at the planned times, not half an interval late', async () => {
    const clip = path.join(harness.dir, 'frame-counter.mp4');
    await frameCounterClip(clip, 5);
    const { plan, final } = await transcodeAsset(harness, clip, 'captures0001', {
      ...smallLadder,
      thumbnailIntervalSec: 2,
    });
    expect(final.detail.status).toBe('COMPLETE');
    expect(plan.poster.atSec).toBe(1);
    const update = interpretJobEvent(final);
    if (update.kind !== 'complete') throw new Error(`expected COMPLETE, got ${JSON.stringify(final.detail)}`);
    expect(update.outputs.thumbnails).toHaveLength(3);
    const local = path.join(harness.dir, 'check-captures');
    await downloadPrefix(harness, 's3://media-bucket/assets/captures0001/', local);
    const frames = [];
    for (const uri of update.outputs.thumbnails) {
      frames.push(capturedFrame(await meanLuma(path.join(local, uri.replace(/^.*captures0001\//, '')))));
    }
    // 0 s, 2 s and 4 s at 24 fps; a capture half an interval late would show frames 24, 72 and 120.
    // JPEG rounding may move the reading by one frame, never by the 24 frames of half an interval.
    const off = (shown: number[], planned: number[]) => shown.map((frame, i) => Math.abs(frame - planned[i]));
    expect(Math.max(...off(frames, [0, 48, 96]))).toBeLessThanOrEqual(1);
    const poster = capturedFrame(
      await meanLuma(path.join(local, update.outputs.poster!.replace(/^.*captures0001\//, ''))),
    );
    expect(Math.max(...off([poster], [24]))).toBeLessThanOrEqual(1);
  });

  it('keeps a rotated source portrait and downmixes its 5.1 audio to stereo', async () => {
    const { final, outputPrefix } = await transcodeAsset(harness, 'rotate-buck-bunny.mp4', 'portrait00001');
    expect(final.detail.status).toBe('COMPLETE');
    const local = path.join(harness.dir, 'check-portrait');
    await downloadPrefix(harness, outputPrefix, local);
    const streams = await probeStreams(path.join(local, 'files/video_download.mp4'));
    expect(streams.find((s) => s.codec_type === 'video')).toMatchObject({ width: 360, height: 640 });
    expect(streams.find((s) => s.codec_type === 'audio')?.channels).toBe(2);
    const master = await readFile(path.join(local, 'hls/master.m3u8'), 'utf8');
    expect(master).toContain('RESOLUTION=360x640');
    expect(master).toContain('RESOLUTION=240x426');
    expect(await decodeErrors(path.join(local, 'hls/master.m3u8'))).toBe('');
  });

  it('decodes VP8/Vorbis WebM and re-encodes it as H.264/AAC', async () => {
    // The first 2 s of the shared WebM, stream-copied here so the tier stays quick.
    const short = path.join(harness.dir, 'bunny-2s.webm');
    await run(resolveFfmpegPath(), [
      '-v',
      'error',
      '-y',
      '-i',
      path.join(sharedVideo, 'big_buck_bunny_0_30.webm'),
      '-t',
      '2',
      '-c',
      'copy',
      short,
    ]);
    const { final, outputPrefix } = await transcodeAsset(harness, short, 'webm000001', {
      ...smallLadder,
      rungs: [{ shortSide: 240, maxBitrateBps: 400_000, qvbrQuality: 7 }],
    });
    expect(final.detail.status).toBe('COMPLETE');
    const local = path.join(harness.dir, 'check-webm');
    await downloadPrefix(harness, outputPrefix, local);
    const streams = await probeStreams(path.join(local, 'files/video_download.mp4'));
    expect(streams).toEqual([
      expect.objectContaining({ codec_name: 'h264', width: 426, height: 240 }),
      expect.objectContaining({ codec_name: 'aac', channels: 2 }),
    ]);
  });

  it('makes video-only outputs from a silent source and ignores its 100 subtitle tracks', async () => {
    const { final, outputPrefix } = await transcodeAsset(harness, 'many_tracks.mp4', 'silent000001');
    expect(final.detail.status).toBe('COMPLETE');
    const local = path.join(harness.dir, 'check-silent');
    await downloadPrefix(harness, outputPrefix, local);
    const streams = await probeStreams(path.join(local, 'files/video_download.mp4'));
    expect(streams.map((s) => s.codec_type)).toEqual(['video']);
    expect(await readFile(path.join(local, 'hls/master.m3u8'), 'utf8')).toMatch(/CODECS="avc1\.[0-9a-f]{6}"/);
  });

  it('gives an HDR10 source tone-mapped SDR H.264 rungs and keeps HDR in the H.265 top rung', async () => {
    // A 2 s PQ/BT.2020 10-bit HEVC clip made here: the shared clips are all SDR.
    const hdrFile = path.join(harness.dir, 'hdr10.mp4');
    await run(resolveFfmpegPath(), [
      '-v',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=640x360:rate=24:duration=2',
      '-c:v',
      'libx265',
      '-preset',
      'ultrafast',
      '-pix_fmt',
      'yuv420p10le',
      '-x265-params',
      'log-level=error:colorprim=bt2020:transfer=smpte2084:colormatrix=bt2020nc',
      '-color_primaries',
      'bt2020',
      '-color_trc',
      'smpte2084',
      '-colorspace',
      'bt2020nc',
      '-tag:v',
      'hvc1',
      hdrFile,
    ]);
    const { probed, final, outputPrefix } = await transcodeAsset(harness, hdrFile, 'hdr0000001', {
      ...smallLadder,
      hevcTopRung: true,
    });
    expect(probed.ProbeResults?.[0]?.Container?.Tracks?.[0]?.VideoProperties).toMatchObject({
      TransferCharacteristics: 'SMPTE_2084',
      ColorPrimaries: 'ITU_2020',
      BitDepth: 10,
    });
    expect(final.detail.status).toBe('COMPLETE');
    const local = path.join(harness.dir, 'check-hdr');
    await downloadPrefix(harness, outputPrefix, local);
    expect(await videoStreamLine(path.join(local, 'files/video_download.mp4'))).toMatch(
      /Video: h264.*yuv420p\(tv, bt709\)/,
    );
    // ffprobe 5.2 (bundled) crashes on MPEG-TS, so read the HEVC segment's stream line from ffmpeg.
    expect(await videoStreamLine(path.join(local, 'hls/master_360p_hevc_00001.ts'))).toMatch(
      /Video: hevc.*yuv420p10le\(tv, bt2020nc\/bt2020\/smpte2084\)/,
    );
    const master = await readFile(path.join(local, 'hls/master.m3u8'), 'utf8');
    expect(master).toMatch(/CODECS="hvc1\.2\.4\.L\d+\.B0/);
    expect(master).toMatch(/CODECS="avc1\.64/);
  });

  it('runs a job written for the real service (Video on Demand on AWS template)', async () => {
    const input = await harness.putSharedClip('vod/bbb_prog_10s.mp4', 'bbb_prog_10s.mp4');
    const { Job } = await harness.mediaConvert.send(
      new CreateJobCommand(vodOnAwsJob(input, 's3://media-bucket/vod/', ROLE) as never),
    );
    expect(Job?.Status).toBe('SUBMITTED');
    const final = await harness.settled(Job!.Id!);
    expect(final.detail.status).toBe('COMPLETE');
    const local = path.join(harness.dir, 'check-vod');
    const keys = await downloadPrefix(harness, 's3://media-bucket/vod/', local);
    expect(keys).toContain('vod/hls/bbb_prog_10s.m3u8');
    expect(keys).toContain('vod/hls/bbb_prog_10s_Ott_Hls_Ts_Avc_Aac_16x9_640x360p_1.5Mbps_qvbr.m3u8');
    expect(keys).toContain('vod/mp4/bbb_prog_10s.mp4');
    const master = await readFile(path.join(local, 'hls/bbb_prog_10s.m3u8'), 'utf8');
    expect(master.match(/#EXT-X-STREAM-INF/g)).toHaveLength(2);
    expect(master).toContain('RESOLUTION=480x270');
    const { Job: done } = await harness.mediaConvert.send(new GetJobCommand({ Id: Job!.Id }));
    expect(done?.Status).toBe('COMPLETE');
    expect(done?.OutputGroupDetails?.[0]?.OutputDetails?.[1]?.VideoDetails).toEqual({
      WidthInPx: 640,
      HeightInPx: 360,
    });
  });

  it('reports a truncated upload and a text file as job errors with a code and message', async () => {
    const whole = await readFile(path.join(sharedVideo, 'bbb_prog_10s.mp4'));
    // The first 40% keeps the header's promises but loses the media (and the moov box at the end, if any).
    const truncated = await harness.put(
      'uploads-bucket',
      'bad/truncated.mp4',
      whole.subarray(0, Math.floor(whole.length * 0.4)),
    );
    const text = await harness.put('uploads-bucket', 'bad/notes.mp4', 'not a video at all\n');
    const outcomes = [];
    for (const input of [truncated, text]) {
      const request = vodOnAwsJob(input, 's3://media-bucket/bad/', ROLE);
      const { Job } = await harness.mediaConvert.send(new CreateJobCommand(request as never));
      outcomes.push((await harness.settled(Job!.Id!)).detail);
    }
    for (const detail of outcomes) {
      expect(detail.status).toBe('ERROR');
      expect(detail.errorCode).toBe(1010);
      expect(String(detail.errorMessage)).toMatch(/Unable to open input file/);
    }
  });
});

describe.skipIf(skipMedia)('local MediaConvert API semantics', () => {
  let harness: MediaHarness;
  let input: string;
  beforeAll(async () => {
    // Quality measurement off: these tests look at the API, not the pictures.
    harness = await startMediaHarness();
    input = await harness.putSharedClip('api/clip.mp4', 'bbb_prog_10s.mp4');
  });
  afterAll(async () => {
    await harness?.close();
  });

  const minimalJob = (token?: string, extra: Record<string, unknown> = {}) => ({
    Role: ROLE,
    ClientRequestToken: token,
    UserMetadata: { purpose: 'api-test' },
    Settings: {
      Inputs: [{ FileInput: input }],
      OutputGroups: [
        {
          OutputGroupSettings: {
            Type: 'FILE_GROUP_SETTINGS',
            FileGroupSettings: { Destination: 's3://media-bucket/api/' },
          },
          Outputs: [
            {
              NameModifier: '_small',
              ContainerSettings: { Container: 'MP4' },
              VideoDescription: {
                Width: 160,
                CodecSettings: { Codec: 'H_264', H264Settings: { RateControlMode: 'CBR', Bitrate: 100_000 } },
              },
            },
          ],
          ...extra,
        },
      ],
    },
  });

  it('creates one job per clientRequestToken, however often the submit is retried', async () => {
    const first = await harness.mediaConvert.send(new CreateJobCommand(minimalJob('asset-42-1') as never));
    const again = await harness.mediaConvert.send(new CreateJobCommand(minimalJob('asset-42-1') as never));
    expect(again.Job?.Id).toBe(first.Job?.Id);
    const final = await harness.settled(first.Job!.Id!);
    expect(final.detail.status).toBe('COMPLETE');
    expect(final.detail.userMetadata).toEqual({ purpose: 'api-test' });
    const statuses = harness.events
      .filter((e) => e.detail.jobId === first.Job!.Id)
      .map((e) => e.detail.status);
    expect(statuses[0]).toBe('PROGRESSING');
    expect(statuses.at(-1)).toBe('COMPLETE');
  });

  it('refuses settings it cannot honour with a BadRequestException naming the setting', async () => {
    // DASH ISO and CMAF run now (vod-templates.test.ts); Microsoft Smooth Streaming does not.
    const smooth = minimalJob(undefined);
    (smooth.Settings.OutputGroups[0].OutputGroupSettings as Record<string, unknown>).Type =
      'MS_SMOOTH_GROUP_SETTINGS';
    await expect(harness.mediaConvert.send(new CreateJobCommand(smooth as never))).rejects.toMatchObject({
      name: 'BadRequestException',
      message: expect.stringContaining('settings.outputGroups[0].outputGroupSettings.type'),
      $metadata: { httpStatusCode: 400 },
    });
    const av1 = minimalJob(undefined);
    (
      av1.Settings.OutputGroups[0].Outputs[0].VideoDescription.CodecSettings as Record<string, unknown>
    ).Codec = 'AV1';
    await expect(harness.mediaConvert.send(new CreateJobCommand(av1 as never))).rejects.toThrow(
      /outputs\[0\]\.videoDescription\.codecSettings\.codec/,
    );
    const climbing = minimalJob(undefined);
    climbing.Settings.OutputGroups[0].OutputGroupSettings.FileGroupSettings.Destination =
      's3://media-bucket/api/../../../outside/';
    await expect(harness.mediaConvert.send(new CreateJobCommand(climbing as never))).rejects.toMatchObject({
      name: 'BadRequestException',
      message: expect.stringContaining('fileGroupSettings.destination: must not contain'),
      $metadata: { httpStatusCode: 400 },
    });
    // What a hand-written client can send that the SDK would not: null members answer 400, not 500.
    for (const [member, settings] of [
      ['settings.inputs[0]', { inputs: [null], outputGroups: [] }],
      [
        'audioDescriptions[0]',
        {
          inputs: [{ fileInput: input }],
          outputGroups: [
            {
              outputGroupSettings: {
                type: 'FILE_GROUP_SETTINGS',
                fileGroupSettings: { destination: 's3://media-bucket/x/' },
              },
              outputs: [{ containerSettings: { container: 'MP4' }, audioDescriptions: [null] }],
            },
          ],
        },
      ],
    ] as const) {
      const response = await fetch(`${harness.mediaConvertUrl}/2017-08-29/jobs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ role: ROLE, settings }),
      });
      expect(response.status).toBe(400);
      expect(response.headers.get('x-amzn-errortype')).toBe('BadRequestException');
      expect(((await response.json()) as { message: string }).message).toContain(
        `${member}: expected an object, got null`,
      );
    }
    const odd = minimalJob(undefined);
    (odd.Settings.OutputGroups[0].Outputs[0].VideoDescription as Record<string, unknown>).Width = 161;
    await expect(harness.mediaConvert.send(new CreateJobCommand(odd as never))).rejects.toMatchObject({
      name: 'BadRequestException',
      message: expect.stringContaining('videoDescription.width must be an even number, got 161'),
    });
    const noRole = { ...minimalJob(undefined), Role: undefined };
    await expect(harness.mediaConvert.send(new CreateJobCommand(noRole as never))).rejects.toThrow(
      /role is required/,
    );
  });

  it('cancels a queued job and refuses to cancel it twice', async () => {
    const blocker = await harness.mediaConvert.send(new CreateJobCommand(minimalJob('blocker') as never));
    const queued = await harness.mediaConvert.send(new CreateJobCommand(minimalJob('to-cancel') as never));
    await harness.mediaConvert.send(new CancelJobCommand({ Id: queued.Job!.Id }));
    const { Job } = await harness.mediaConvert.send(new GetJobCommand({ Id: queued.Job!.Id }));
    expect(Job?.Status).toBe('CANCELED');
    await expect(
      harness.mediaConvert.send(new CancelJobCommand({ Id: queued.Job!.Id })),
    ).rejects.toMatchObject({
      name: 'ConflictException',
    });
    await harness.settled(blocker.Job!.Id!);
    await expect(harness.mediaConvert.send(new GetJobCommand({ Id: 'no-such-job' }))).rejects.toMatchObject({
      name: 'NotFoundException',
    });
  });

  it('lists jobs newest first, filters by status and pages with nextToken', async () => {
    const all = await harness.mediaConvert.send(new ListJobsCommand({ MaxResults: 20 }));
    const created = all.Jobs!.map((j) => j.CreatedAt!.getTime());
    expect(created).toEqual([...created].sort((a, b) => b - a));
    const canceled = await harness.mediaConvert.send(new ListJobsCommand({ Status: 'CANCELED' }));
    expect(canceled.Jobs?.every((j) => j.Status === 'CANCELED')).toBe(true);
    expect(canceled.Jobs?.length).toBeGreaterThanOrEqual(1);
    const firstPage = await harness.mediaConvert.send(
      new ListJobsCommand({ MaxResults: 1, Order: 'ASCENDING' }),
    );
    expect(firstPage.Jobs).toHaveLength(1);
    const secondPage = await harness.mediaConvert.send(
      new ListJobsCommand({ MaxResults: 1, Order: 'ASCENDING', NextToken: firstPage.NextToken }),
    );
    expect(secondPage.Jobs?.[0]?.Id).not.toBe(firstPage.Jobs?.[0]?.Id);
    expect(all.Jobs?.length).toBe(2 + (secondPage.NextToken ? 1 : 0));
  });
});
